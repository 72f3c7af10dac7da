package io.streamnlp.serde.internals;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to load record classes outside an allow-list when it reads or writes specific records.
 * streamnlp's own generated classes are added to whatever validator the application already has, so the
 * application's policy for every other class stays as it is.
 */
public final class AvroClassTrust {
  private static final String GENERATED_PACKAGE = "io.streamnlp.avro.";
  private static boolean done;

  private AvroClassTrust() {}

  public static synchronized void trustGeneratedClasses() {
    if (done) {
      return;
    }
    ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
        c -> c.getName().startsWith(GENERATED_PACKAGE)));
    done = true;
  }
}
