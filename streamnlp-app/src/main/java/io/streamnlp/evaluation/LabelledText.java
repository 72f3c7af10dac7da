package io.streamnlp.evaluation;

/** One human-labelled message: its text and its label as written in the file (a name or an index). */
public record LabelledText(String text, String label) {}
