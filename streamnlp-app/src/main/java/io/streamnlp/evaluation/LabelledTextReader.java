package io.streamnlp.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads labelled messages from a file whose format follows its extension: {@code .tsv} (tab-separated,
 * header row, no quoting, as GLUE ships SST-2), {@code .csv} (RFC 4180 with a header row) or
 * {@code .jsonl}/{@code .ndjson} (one JSON object per line). Columns are found by name.
 */
public final class LabelledTextReader {
  /** Tried in this order when no text column is named. */
  static final List<String> DEFAULT_TEXT_FIELDS = List.of("text", "sentence");
  public static final String DEFAULT_LABEL_FIELD = "label";

  private LabelledTextReader() {}

  /**
   * @param textField the text column, or null for the first of {@code text}, {@code sentence}
   * @param labelField the label column
   * @throws IllegalArgumentException when the file's format or columns do not fit, naming the line
   */
  public static List<LabelledText> read(Path file, String textField, String labelField) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(file.toString(), in, textField, labelField);
    }
  }

  /**
   * Reads from a stream that is not a file (a resource in the jar); {@code source} names it in error messages
   * and its extension gives the format, as a file's name does.
   */
  public static List<LabelledText> read(String source, BufferedReader in, String textField, String labelField)
      throws IOException {
    String name = source.toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return readJsonLines(source, in, textField, labelField);
    }
    if (name.endsWith(".tsv")) {
      return readDelimited(source, in, CsvSchema.emptySchema().withHeader().withColumnSeparator('\t')
          .withoutQuoteChar().withoutEscapeChar(), textField, labelField);
    }
    if (name.endsWith(".csv")) {
      return readDelimited(source, in, CsvSchema.emptySchema().withHeader(), textField, labelField);
    }
    throw new IllegalArgumentException(source + ": unknown format; name the file .tsv, .csv or .jsonl");
  }

  private static List<LabelledText> readDelimited(String file, BufferedReader in, CsvSchema schema,
                                                  String textField, String labelField) throws IOException {
    CsvMapper mapper = CsvMapper.builder().enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS).build();
    List<LabelledText> result = new ArrayList<>();
    try (MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class).with(schema)
             .readValues(in)) {
      String text = null;
      while (rows.hasNextValue()) {
        int line = rows.getCurrentLocation().getLineNr();
        Map<String, String> row = rows.nextValue();
        if (text == null) {
          text = textColumn(file, row.keySet(), textField);
          requireColumn(file, row.keySet(), labelField);
        }
        result.add(labelled(file, line, row.get(text), row.get(labelField)));
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr(), e);
    }
    return result;
  }

  private static List<LabelledText> readJsonLines(String file, BufferedReader in, String textField,
                                                  String labelField) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<LabelledText> result = new ArrayList<>();
    List<String> lines = in.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = mapper.readTree(lines.get(i));
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        throw new IllegalArgumentException(file + ": line " + (i + 1) + " is not JSON: "
            + e.getOriginalMessage(), e);
      }
      List<String> fields = new ArrayList<>();
      node.fieldNames().forEachRemaining(fields::add);
      String text = textColumn(file, fields, textField);
      requireColumn(file, fields, labelField);
      result.add(labelled(file, i + 1, node.get(text).asText(), node.get(labelField).asText()));
    }
    return result;
  }

  private static String textColumn(String file, java.util.Collection<String> columns, String textField) {
    if (textField != null) {
      requireColumn(file, columns, textField);
      return textField;
    }
    return DEFAULT_TEXT_FIELDS.stream().filter(columns::contains).findFirst().orElseThrow(() ->
        new IllegalArgumentException(file + " has no column " + DEFAULT_TEXT_FIELDS + " (columns: " + columns
            + "); name the text column with --text-field"));
  }

  private static void requireColumn(String file, java.util.Collection<String> columns, String column) {
    if (!columns.contains(column)) {
      throw new IllegalArgumentException(file + " has no column '" + column + "' (columns: " + columns + ")");
    }
  }

  private static LabelledText labelled(String file, int line, String text, String label) {
    if (text == null || label == null || label.isBlank()) {
      throw new IllegalArgumentException(file + ": line " + line + " lacks a text or a label");
    }
    return new LabelledText(text, label.trim());
  }
}
