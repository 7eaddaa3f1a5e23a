package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The flags {@code berth create} and {@code berth run} share, with docker's names, turned into the
 * body of {@code POST /containers/create}.
 */
final class ContainerFlags {
  @Option(names = "--name", paramLabel = "NAME", description = "Assign a name to the container") String name;
  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set environment variables") List<String> env = new ArrayList<>();
  @Option(names = "--env-file", paramLabel = "FILE", description = "Read in a file of environment variables") List<Path> envFiles = new ArrayList<>();
  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container") String workdir;
  @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Username or UID (format: <name|uid>[:<group|gid>])") String user;
  @Option(names = "--entrypoint", paramLabel = "CMD", description = "Overwrite the default ENTRYPOINT of the image") String entrypoint;
  @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set meta data on a container") List<String> labels = new ArrayList<>();
  @Option(names = "--init", description = "Run an init inside the container that forwards signals and reaps processes") boolean init;
  @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DST[:ro]", description = "Bind mount a volume") List<String> volumes = new ArrayList<>();
  @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]", description = "Mount a tmpfs directory") List<String> tmpfs = new ArrayList<>();
  @Option(names = "--read-only", description = "Mount the container's root filesystem as read only") boolean readOnly;
  @Option(names = "--network", paramLabel = "NETWORK", description = "Connect a container to a network: none or host") String network;
  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES", description = "Memory limit") String memory;
  @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Swap limit equal to memory plus swap: '-1' to enable unlimited swap") String memorySwap;
  @Option(names = "--cpus", paramLabel = "DECIMAL", description = "Number of CPUs") String cpus;
  @Option(names = {"-c", "--cpu-shares"}, paramLabel = "INT", description = "CPU shares (relative weight)") Long cpuShares;
  @Option(names = "--pids-limit", paramLabel = "INT", description = "Tune container pids limit (set -1 for unlimited)") Long pidsLimit;
  @Option(names = "--cap-add", paramLabel = "CAP", description = "Add Linux capabilities") List<String> capAdd = new ArrayList<>();
  @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop Linux capabilities") List<String> capDrop = new ArrayList<>();
  @Option(names = "--privileged", description = "Give extended privileges to this container") boolean privileged;
  @Option(names = "--security-opt", paramLabel = "OPT", description = "Security Options") List<String> securityOpt = new ArrayList<>();
  @Option(names = "--restart", paramLabel = "POLICY", description = "Restart policy to apply when a container exits (default \"no\")") String restart;
  @Option(names = "--runtime", paramLabel = "RUNTIME", description = "Runtime to use for this container: runc, crun, runsc") String runtime;
  @Option(names = "--log-opt", paramLabel = "KEY=VALUE", description = "Log driver options") List<String> logOpts = new ArrayList<>();
  @Option(names = {"-h", "--hostname"}, paramLabel = "NAME", description = "Container host name") String hostname;
  @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal to stop the container") String stopSignal;
  @Option(names = "--stop-timeout", paramLabel = "SECONDS", description = "Timeout (in seconds) to stop a container") Integer stopTimeout;
  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
  @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached") boolean interactive;
  @Option(names = "--rm", description = "Automatically remove the container and its associated anonymous volumes when it exits") boolean autoRemove;
  @Option(names = "--platform", paramLabel = "PLATFORM", description = "Set platform if server is multi-platform capable") String platform;

  /** The create body for {@code image} and {@code command}. */
  ObjectNode body(String image, List<String> command, boolean attach) {
    var b = Json.MAPPER.createObjectNode();
    b.put("Hostname", hostname == null ? "" : hostname);
    b.put("User", user == null ? "" : user);
    b.put("AttachStdin", attach && interactive);
    b.put("AttachStdout", attach);
    b.put("AttachStderr", attach);
    b.put("Tty", tty);
    b.put("OpenStdin", interactive);
    b.put("StdinOnce", attach && interactive);
    array(b, "Env", allEnv());
    if (!command.isEmpty()) {
      array(b, "Cmd", command);
    }
    b.put("Image", image);
    b.put("WorkingDir", workdir == null ? "" : workdir);
    if (entrypoint != null) {
      array(b, "Entrypoint", entrypoint.isEmpty() ? List.of("") : List.of(entrypoint));
    }
    var l = b.putObject("Labels");
    for (String kv : labels) {
      int eq = kv.indexOf('=');
      l.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
    }
    if (stopSignal != null) {
      b.put("StopSignal", stopSignal);
    }
    if (stopTimeout != null) {
      b.put("StopTimeout", stopTimeout);
    }
    var h = b.putObject("HostConfig");
    array(h, "Binds", volumes);
    var lc = h.putObject("LogConfig");
    lc.put("Type", "");
    var opts = lc.putObject("Config");
    for (String kv : logOpts) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new CliException(BerthCli.USAGE_ERROR, "invalid argument \"" + kv + "\" for \"--log-opt\" flag: invalid key value pair format in log options");
      }
      opts.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    h.put("NetworkMode", network == null ? "default" : network);
    var rp = h.putObject("RestartPolicy");
    String policy = restart == null ? "no" : restart;
    int colon = policy.indexOf(':');
    rp.put("Name", colon < 0 ? policy : policy.substring(0, colon));
    if (colon >= 0) {
      try {
        rp.put("MaximumRetryCount", Integer.parseInt(policy.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new CliException(BerthCli.USAGE_ERROR, "invalid argument \"" + policy + "\" for \"--restart\" flag: maximum retry count must be an integer");
      }
    }
    if (autoRemove && !policy.equals("no")) {
      throw new CliException(BerthCli.USAGE_ERROR, "Conflicting options: --restart and --rm");
    }
    h.put("AutoRemove", autoRemove);
    array(h, "CapAdd", capAdd);
    array(h, "CapDrop", capDrop);
    h.put("Privileged", privileged);
    h.put("ReadonlyRootfs", readOnly);
    array(h, "SecurityOpt", securityOpt);
    if (!tmpfs.isEmpty()) {
      var t = h.putObject("Tmpfs");
      for (String s : tmpfs) {
        int c = s.indexOf(':');
        t.put(c < 0 ? s : s.substring(0, c), c < 0 ? "" : s.substring(c + 1));
      }
    }
    if (runtime != null) {
      h.put("Runtime", runtime);
    }
    if (cpuShares != null) {
      h.put("CpuShares", cpuShares);
    }
    if (memory != null) {
      h.put("Memory", bytes("-m, --memory", memory));
    }
    if (memorySwap != null) {
      h.put("MemorySwap", memorySwap.equals("-1") ? -1 : bytes("--memory-swap", memorySwap));
    }
    if (cpus != null) {
      h.put("NanoCpus", nanoCpus(cpus));
    }
    if (pidsLimit != null) {
      h.put("PidsLimit", pidsLimit);
    }
    if (init) {
      h.put("Init", true);
    }
    return b;
  }

  private List<String> allEnv() {
    List<String> all = new ArrayList<>();
    for (Path f : envFiles) {
      try {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          String t = line.strip();
          if (t.isEmpty() || t.startsWith("#")) {
            continue;
          }
          all.add(t.contains("=") ? t : withHostValue(t));
        }
      } catch (IOException e) {
        throw new CliException(BerthCli.USAGE_ERROR, "open " + f + ": " + (e instanceof java.nio.file.NoSuchFileException
            ? "no such file or directory" : e.getMessage()));
      }
    }
    for (String e : env) {
      all.add(e.contains("=") ? e : withHostValue(e));
    }
    return all;
  }

  /** {@code -e NAME} takes NAME's value from the client's environment, as docker does. */
  private static String withHostValue(String name) {
    String v = System.getenv(name);
    return v == null ? name : name + "=" + v;
  }

  private static void array(ObjectNode o, String field, List<String> values) {
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?$");

  /** Docker's {@code RAMInBytes}, with docker's message for a bad value. */
  static long bytes(String flag, String value) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException(BerthCli.USAGE_ERROR, "invalid argument \"" + value + "\" for \"" + flag
          + "\" flag: invalid size: '" + value + "'");
    }
    double n = Double.parseDouble(m.group(1));
    long unit = switch (m.group(2)) {
      case "k" -> 1L << 10;
      case "m" -> 1L << 20;
      case "g" -> 1L << 30;
      case "t" -> 1L << 40;
      case "p" -> 1L << 50;
      default -> 1;
    };
    return (long) (n * unit);
  }

  static long nanoCpus(String value) {
    try {
      double d = Double.parseDouble(value);
      if (d < 0) {
        throw new NumberFormatException();
      }
      return (long) (d * 1e9);
    } catch (NumberFormatException e) {
      throw new CliException(BerthCli.USAGE_ERROR, "invalid argument \"" + value + "\" for \"--cpus\" flag: failed to parse "
          + value + " as a rational number");
    }
  }
}
