package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth}: a client of the Engine API that berthd serves, with docker's command names, flags
 * and output. It never reads the state root itself; when no daemon answers on a unix socket it
 * starts one (see {@link DaemonStarter}).
 *
 * <p>Exit status, as docker's: 0 success; 1 an error of the daemon ({@code Error response from
 * daemon: ...}) or of the command; 125 a usage error (unknown flag, missing or extra argument, bad
 * value), printed with a pointer to {@code --help}.
 *
 * <p>Environment: {@code BERTH_HOST} (default for {@code -H}), {@code BERTH_ROOT} (default for
 * {@code --root}), {@code BERTH_HOME} (where {@code bin/berthd} is), {@code BERTH_AUTOSTART=0}
 * (never start a daemon).
 */
@Command(
    name = "berth",
    description = "A container engine on the OCI standards, speaking the Docker Engine API.",
    synopsisSubcommandLabel = "COMMAND",
    usageHelpAutoWidth = true)
public final class BerthCli implements Callable<Integer> {
  static final int USAGE_ERROR = 125;
  static final String DEFAULT_ROOT = "/var/lib/berth";

  @Option(names = {"-H", "--host"}, paramLabel = "ADDR",
      description = "Daemon socket to connect to: unix:///path.sock or tcp://HOST:PORT (env BERTH_HOST; default "
          + Endpoint.DEFAULT + ")")
  String host;

  @Option(names = "--root", paramLabel = "DIR",
      description = "State root of a daemon the CLI starts (env BERTH_ROOT; default " + DEFAULT_ROOT + ")")
  Path root;

  @Option(names = {"-D", "--debug"}, description = "Show stack traces of errors")
  boolean debug;

  @Option(names = {"-v", "--version"}, description = "Print the version and exit")
  boolean printVersion;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print usage")
  boolean help;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The top-level commands, in the order usage lists them. */
  private static final List<String> COMMANDS =
      List.of("version", "info", "images", "image", "inspect", "history", "tag", "rmi", "build", "load", "save", "import", "pull", "push", "login", "logout", "registry",
          "run", "create", "start", "stop", "restart", "kill", "pause", "unpause", "wait", "rm", "ps", "logs", "exec",
          "top", "attach", "cp", "rename", "container", "volume", "help");

  /** A switch rather than a map of constructors, so that classes of commands not run are not even loaded. */
  private static Object newCommand(String name) {
    return switch (name) {
      case "version" -> new VersionCommand();
      case "info" -> new InfoCommand();
      case "images" -> new ImagesCommand();
      case "image" -> new ImageCommand();
      case "inspect" -> new InspectCommand();
      case "history" -> new HistoryCommand();
      case "tag" -> new TagCommand();
      case "rmi" -> new RmiCommand();
      case "build" -> new BuildCommand();
      case "load" -> new LoadCommand();
      case "save" -> new SaveCommand();
      case "import" -> new ImportCommand();
      case "pull" -> new PullCommand();
      case "push" -> new PushCommand();
      case "login" -> new LoginCommand();
      case "logout" -> new LogoutCommand();
      case "registry" -> new RegistryCommand();
      case "run" -> new RunCommand();
      case "create" -> new CreateCommand();
      case "start" -> new StartCommand();
      case "stop" -> new StopCommand();
      case "restart" -> new RestartCommand();
      case "kill" -> new KillCommand();
      case "pause" -> new PauseCommand();
      case "unpause" -> new UnpauseCommand();
      case "wait" -> new WaitCommand();
      case "rm" -> new RmCommand();
      case "ps" -> new PsCommand();
      case "logs" -> new LogsCommand();
      case "exec" -> new ExecCommand();
      case "top" -> new TopCommand();
      case "attach" -> new AttachCommand();
      case "cp" -> new CpCommand();
      case "rename" -> new RenameCommand();
      case "container" -> new ContainerCommand();
      case "volume" -> new VolumeCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException(name);
    };
  }

  private final Streams streams;
  private final Map<String, String> env;
  private Engine engine;

  BerthCli(Streams streams, Map<String, String> env) {
    this.streams = streams;
    this.env = env;
  }

  public static void main(String[] args) throws java.io.IOException {
    if (args.length == 1 && args[0].equals(AotTraining.COMMAND)) {
      System.exit(AotTraining.run());
    }
    System.exit(run(Streams.system(), System.getenv(), args));
  }

  /** Runs one command line; what tests call. */
  static int run(Streams streams, Map<String, String> env, String... args) {
    CommandLine cmd = commandLine(streams, env, args);
    try {
      return cmd.execute(args);
    } finally {
      ((BerthCli) cmd.getCommand()).closeEngine();
      streams.out().flush();
      streams.err().flush();
    }
  }

  /**
   * The command line for {@code args}. Picocli reads every command's annotations when it is added,
   * which costs more than the JVM's own start; so when the command named is known, only that one
   * is added. Usage, {@code help} and unknown names get all of them.
   */
  static CommandLine commandLine(Streams streams, Map<String, String> env, String... args) {
    var cli = new BerthCli(streams, env);
    var cmd = new CommandLine(cli);
    String named = commandName(args);
    for (String name : COMMANDS) {
      if (named == null || named.equals("help") || !COMMANDS.contains(named) || name.equals(named)) {
        cmd.addSubcommand(name, newCommand(name));
      }
    }
    if (cmd.getSubcommands().containsKey("image")) {
      ImageCommand.register(cmd.getSubcommands().get("image"));
    }
    if (cmd.getSubcommands().containsKey("container")) {
      ContainerCommand.register(cmd.getSubcommands().get("container"));
    }
    if (cmd.getSubcommands().containsKey("volume")) {
      VolumeCommand.register(cmd.getSubcommands().get("volume"));
    }
    // Everything after the image (run, create) or the container (exec) is the command and its flags.
    for (String positional : List.of("run", "create", "exec")) {
      if (cmd.getSubcommands().containsKey(positional)) {
        cmd.getSubcommands().get(positional).setStopAtPositional(true);
      }
    }
    cmd.setOut(new PrintWriter(streams.out(), true));
    cmd.setErr(new PrintWriter(streams.err(), true));
    cmd.setParameterExceptionHandler((e, rest) -> {
      var err = e.getCommandLine().getErr();
      err.println("berth: " + e.getMessage());
      err.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      return USAGE_ERROR;
    });
    cmd.setExecutionExceptionHandler((e, c, parsed) -> cli.report(e));
    return cmd;
  }

  @Override
  public Integer call() {
    if (printVersion) {
      streams.out().println("berth version " + version());
      return 0;
    }
    spec.commandLine().usage(streams.out());
    return 0;
  }

  /** The first argument that is not a global option or its value: the command asked for. */
  static String commandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-H") || a.equals("--host") || a.equals("--root")) {
        i++;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  /** Prints an error of a command as docker does and gives its exit status. */
  int report(Exception e) {
    var err = streams.err();
    if (debug) {
      e.printStackTrace(err);
    }
    return switch (e) {
      case CliException c -> {
        err.println(c.getMessage());
        yield c.exitCode();
      }
      case Template.TemplateException t -> {
        err.println(t.getMessage());
        yield 1;
      }
      case IOException io -> {
        err.println("berth: " + (io.getMessage() == null ? io.toString() : io.getMessage()));
        yield 1;
      }
      case dev.berth.errors.BerthException b -> {
        err.println("berth: " + b.getMessage());
        yield 1;
      }
      default -> {
        if (!debug) {
          err.println("berth: " + e + " (run with --debug for the stack trace)");
        }
        yield 1;
      }
    };
  }

  Streams streams() {
    return streams;
  }

  Map<String, String> env() {
    return env;
  }

  Endpoint endpoint() {
    String h = host;
    if (h == null || h.isBlank()) {
      h = env.get("BERTH_HOST");
    }
    return Endpoint.parse(h == null || h.isBlank() ? Endpoint.DEFAULT : h);
  }

  Path root() {
    if (root != null) {
      return root.toAbsolutePath();
    }
    String r = env.get("BERTH_ROOT");
    return Path.of(r == null || r.isBlank() ? DEFAULT_ROOT : r).toAbsolutePath();
  }

  /** A connected client, starting a daemon on a silent unix socket unless BERTH_AUTOSTART=0. */
  Engine engine() throws IOException {
    if (engine != null) {
      return engine;
    }
    Endpoint endpoint = endpoint();
    var e = new Engine(endpoint);
    try {
      try {
        e.ping();
      } catch (IOException first) {
        if (!Engine.notRunning(first) || !endpoint.isUnix() || "0".equals(env.get("BERTH_AUTOSTART"))) {
          throw first;
        }
        new DaemonStarter(endpoint.socket(), root(), env, streams.err()).ensureRunning();
        e.ping();
      }
    } catch (IOException failed) {
      e.close();
      throw cannotConnect(endpoint, failed);
    } catch (RuntimeException failed) {
      e.close();
      throw failed;
    }
    engine = e;
    return e;
  }

  static CliException cannotConnect(Endpoint endpoint, IOException cause) {
    String detail = Engine.notRunning(cause) ? "" : " (" + cause.getMessage() + ")";
    return new CliException(
        "Cannot connect to the berth daemon at " + endpoint + ". Is the berth daemon running?" + detail);
  }

  private void closeEngine() {
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }

  /** The CLI's version, from the Maven properties packed in its jar; "dev" in a build tree. */
  static String version() {
    try (InputStream in = BerthCli.class.getResourceAsStream("/META-INF/maven/dev.berth/berth-cli/pom.properties")) {
      if (in != null) {
        var p = new Properties();
        p.load(in);
        return p.getProperty("version", "dev");
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "dev";
  }
}
