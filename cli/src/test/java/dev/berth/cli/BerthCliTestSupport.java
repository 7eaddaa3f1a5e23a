package dev.berth.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in-process with captured streams and an environment of the test's choosing. */
final class BerthCliTestSupport {
  private BerthCliTestSupport() {}

  static CliAgainstDaemonTest.Result runWithHost(String host, Map<String, String> env, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var streams = new Streams(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = host;
    System.arraycopy(args, 0, all, 2, args.length);
    int code = BerthCli.run(streams, env, all);
    return new CliAgainstDaemonTest.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
