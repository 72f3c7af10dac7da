package io.streamnlp.app;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code streamnlp} command line. */
@Command(name = "streamnlp", mixinStandardHelpOptions = true, versionProvider = StreamNlpCli.Version.class,
    description = "Streaming NLP for Apache Kafka: tag and embed text on Kafka topics with ONNX models.",
    subcommands = {RunCommand.class, DemoCommand.class, LocalCommand.class, ProduceCommand.class,
        ConsumeCommand.class, EvaluateCommand.class, TokenizeCommand.class, ConversationsCommand.class,
        BenchCommand.class,
        ImportModelCommand.class, TrainCommand.class,
        CommandLine.HelpCommand.class})
public final class StreamNlpCli {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new StreamNlpCli());
    // Enumerated options take their values in any case; an unknown one is refused by picocli, listing the valid
    // ones, in one line (not followed by the whole usage help), with exit code 2.
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((e, unparsed) -> {
      e.getCommandLine().getErr().println("streamnlp " + e.getCommandLine().getCommandName() + ": " + e.getMessage()
          + " (see --help)");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("streamnlp: " + StartupErrors.describe(e));
      return 2;
    });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StreamNlpCli.class.getPackage().getImplementationVersion();
      return new String[] {"streamnlp " + (v == null ? "(development build)" : v)};
    }
  }
}
