package dev.berth.daemon;

import dev.berth.errors.BerthException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berthd}: flags in, a {@link Daemon} out, and a wait for SIGTERM or SIGINT. */
@Command(name = "berthd", mixinStandardHelpOptions = true, description = "The berth container engine daemon.")
public final class BerthDaemon implements Callable<Integer> {
  static final String DEFAULT_ROOT = "/var/lib/berth";
  static final String DEFAULT_HOST = "unix:///run/berth/berth.sock";
  /** JUL holds loggers weakly: without this reference the level set on it could be collected. */
  private static final Logger BERTH_LOGGER = Logger.getLogger("dev.berth");

  @Option(names = "--root", paramLabel = "DIR", description = "State root (env BERTH_ROOT; default ${DEFAULT-VALUE}).",
      defaultValue = "${env:BERTH_ROOT:-" + DEFAULT_ROOT + "}")
  Path root;

  @Option(names = {"-H", "--host"}, paramLabel = "ADDR",
      description = "Where to listen, repeatable: unix:///path or tcp://IP:PORT (env BERTH_HOST, comma-separated;"
          + " default " + DEFAULT_HOST + ").")
  List<String> hosts;

  @Option(names = "--pidfile", paramLabel = "FILE", description = "Pidfile (default ROOT/berthd.pid).")
  Path pidfile;

  @Option(names = "--default-runtime", paramLabel = "NAME",
      description = "OCI runtime for containers that name none: runc, crun or runsc (default: the fastest that works here).")
  String defaultRuntime;

  @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", defaultValue = "info",
      description = "debug, info, warn or error (default ${DEFAULT-VALUE}).")
  String logLevel;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BerthDaemon()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Level level = switch (logLevel.toLowerCase(java.util.Locale.ROOT)) {
      case "debug" -> Level.FINE;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "invalid --log-level " + logLevel + ": want debug, info, warn or error");
    };
    configureLogging(level);
    List<String> listen = hosts != null && !hosts.isEmpty() ? hosts : envHosts();
    Daemon daemon;
    try {
      daemon = Daemon.start(new Daemon.Config(root, listen, pidfile, level == Level.FINE, defaultRuntime));
    } catch (BerthException e) {
      System.err.println("berthd: " + e.getMessage());
      return 1;
    }
    var stopped = new CountDownLatch(1);
    // The JVM runs this on SIGTERM and SIGINT; main waits below so the daemon lives until then.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      daemon.close();
      stopped.countDown();
    }, "berthd-shutdown"));
    stopped.await();
    return 0;
  }

  private static List<String> envHosts() {
    String env = System.getenv("BERTH_HOST");
    if (env == null || env.isBlank()) {
      return List.of(DEFAULT_HOST);
    }
    return Arrays.stream(env.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** One line per record on stderr: {@code 2026-11-27T10:24:14.042Z INFO dev.berth.daemon: message}. */
  static void configureLogging(Level level) {
    LogManager.getLogManager().reset();
    Logger rootLogger = Logger.getLogger("");
    var handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        var sb = new StringBuilder(128)
            .append(r.getInstant()).append(' ').append(name(r.getLevel())).append(' ')
            .append(r.getLoggerName()).append(": ").append(formatMessage(r)).append('\n');
        if (r.getThrown() != null) {
          var sw = new java.io.StringWriter();
          r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
          sb.append(sw);
        }
        return sb.toString();
      }
    });
    rootLogger.addHandler(handler);
    rootLogger.setLevel(Level.WARNING);
    // Only berth's own loggers go below warn, so a library's debug chatter stays out.
    BERTH_LOGGER.setLevel(level);
  }

  private static String name(Level l) {
    if (l.intValue() >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (l.intValue() >= Level.WARNING.intValue()) {
      return "WARN";
    }
    return l.intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
  }
}
