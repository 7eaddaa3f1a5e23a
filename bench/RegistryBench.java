import dev.berth.content.LocalContentStore;
import dev.berth.distribution.CredentialStore;
import dev.berth.distribution.ProgressListener;
import dev.berth.distribution.PullResult;
import dev.berth.distribution.RegistryClient;
import dev.berth.distribution.RegistryConfig;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The library path of bench/pull-push.sh, without the CLI and the daemon: pull cold (empty store),
 * pull warm (every blob present), push to a fresh repository, through one {@link RegistryClient} as a
 * Java program would use it. Run with the distribution's jars:
 *
 * <pre>
 *   java -cp 'dist/target/berth/lib/*' bench/RegistryBench.java SRC_REF DST_HOST[,DST_HOST...] RUNS WORKDIR [verify-diff-ids]
 * </pre>
 *
 * With {@code verify-diff-ids} the pull also decompresses each layer to check its diff_id (what
 * {@code RegistryClient.verifyingDiffIds()} asks for); by default that is left to the unpacker.
 *
 * Run N pushes to the Nth DST_HOST (the last one when there are fewer): give each run a freshly
 * started registry, so that no run finds the blobs of an earlier one there.
 *
 * <p>Prints one line per run ({@code run N cold MS warm MS push MS}); the first run includes the JVM's
 * warm-up (class loading, JIT), the later ones are what a long-lived process such as berthd sees.
 */
public class RegistryBench {
  public static void main(String[] args) throws Exception {
    Reference source = Reference.parse(args[0]);
    String[] targets = args[1].split(",");
    int runs = Integer.parseInt(args[2]);
    Path work = Path.of(args[3]);
    var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
    if (args.length > 4 && args[4].equals("verify-diff-ids")) {
      client = client.verifyingDiffIds();
    }
    for (int run = 1; run <= runs; run++) {
      Path dir = work.resolve("lib-store-" + run);
      var store = LocalContentStore.at(dir);
      long t0 = System.nanoTime();
      PullResult pulled = client.pullContent(source, Platform.host(), store, ProgressListener.NONE);
      long t1 = System.nanoTime();
      client.pullContent(source, Platform.host(), store, ProgressListener.NONE);
      long t2 = System.nanoTime();
      String target = targets[Math.min(run, targets.length) - 1];
      var dest = Reference.parse(target + "/lib" + run + "-" + ProcessHandle.current().pid() + "/img:1");
      client.push(dest, pulled.manifest(), store, List.of(), ProgressListener.NONE);
      long t3 = System.nanoTime();
      System.out.printf("run %d cold %d warm %d push %d%n", run, ms(t1 - t0), ms(t2 - t1), ms(t3 - t2));
      delete(dir);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        p.toFile().setWritable(true);
        Files.delete(p);
      }
    }
  }
}
