package io.streamnlp.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.avro.TextEncoding;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

/** The output schema evolves BACKWARD compatibly, as the registry's default compatibility requires. */
class TextEncodingSchemaTest {

  /** The schema as it was before a field was added: the current one without that field. */
  private static Schema without(String field) {
    return without(TextEncoding.getClassSchema(), field);
  }

  private static Schema without(Schema current, String field) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      if (!f.name().equals(field)) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  @Test
  void readersOfTheCurrentSchemaReadRecordsWrittenBeforeStateStepsExisted() {
    Schema before = without("stateSteps");
    assertThat(before.getField("stateSteps")).isNull();
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(TextEncoding.getClassSchema(), before).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(TextEncoding.getClassSchema().getField("stateSteps").defaultVal())
        .isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    // The check is not vacuous: the same field without a default would break old records.
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : before.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("stateSteps", Schema.create(Schema.Type.LONG), null, (Object) null));
    Schema noDefault = Schema.createRecord("TextEncoding", null, "io.streamnlp.avro", false, fields);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(noDefault, before).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  /** Each optional field added since the first release reads records written without it, and needs its default. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"TextEncoding, polarity, FLOAT", "SentimentWindow, meanPolarity, DOUBLE"})
  void fieldsAddedLaterAreOptionalWithANullDefault(String record, String field, Schema.Type type) {
    Schema current = record.equals("TextEncoding") ? TextEncoding.getClassSchema()
        : io.streamnlp.avro.SentimentWindow.getClassSchema();
    Schema before = without(current, field);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, before).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(current.getField(field).defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : before.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field(field, Schema.create(type), null, (Object) null));
    Schema noDefault = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(noDefault, before).getType())
        .as("negative control: without a default").isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void theCascadesRereadByIsOptionalAndReadsOlderRecords() {
    Schema current = TextEncoding.getClassSchema();
    Schema before = without(current, "rereadBy");
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, before).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(current.getField("rereadBy").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : before.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("rereadBy", current.getField("model").schema(), null, (Object) null));
    Schema noDefault = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(noDefault, before).getType())
        .as("negative control: a required model record").isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }
}
