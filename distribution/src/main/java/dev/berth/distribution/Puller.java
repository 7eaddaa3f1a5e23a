package dev.berth.distribution;

import dev.berth.archive.Compression;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Index;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One pull: resolve, then download the config and the layers in parallel, each hashed while it
 * streams into an uncommitted store writer. Only when every blob verified are they committed,
 * manifest last, so a failed pull leaves the store as it was.
 *
 * <p>A layer's digest (over its compressed bytes) is always checked. Its diff_id (over the
 * uncompressed tar) is checked here only when asked ({@code verifyDiffIds}): decompressing costs
 * more CPU than hashing and storing together, and the one who needs the uncompressed bytes checks
 * them anyway (the snapshot module's {@code LayerUnpacker} fails an unpack whose tar does not hash
 * to the diff_id, as containerd's unpacker does), so a wrong diff_id is caught before a container
 * sees the layer either way.
 */
final class Puller {
  private static final int PARALLEL_LAYERS = 8;
  private static final long PROGRESS_STEP = 512 * 1024;

  private final Transport transport;
  private final Resolver resolver;
  private final boolean verifyDiffIds;

  Puller(Transport transport, boolean verifyDiffIds) {
    this.transport = transport;
    this.resolver = new Resolver(transport);
    this.verifyDiffIds = verifyDiffIds;
  }

  PullResult pull(Reference ref, Platform platform, ContentStore store, ProgressListener progress) {
    RuntimeException mirrorFailure = null;
    for (Transport.Endpoint ep : transport.pullEndpoints(ref.domain())) {
      try {
        return pullFrom(ep, ref, platform, store, progress);
      } catch (BerthException e) {
        if (!ep.mirror()) {
          if (mirrorFailure != null) {
            e.addSuppressed(mirrorFailure);
          }
          throw e;
        }
        mirrorFailure = e; // the next mirror, then the registry itself
      }
    }
    throw new IllegalStateException("no endpoint for " + ref.domain());
  }

  private PullResult pullFrom(Transport.Endpoint ep, Reference ref, Platform platform, ContentStore store,
      ProgressListener progress) {
    String what = ref.familiar();
    Resolver.Fetched top = resolver.fetch(ep, ref.path(), ref.digest() != null ? ref.digest().toString() : ref.tag(),
        ref.digest(), "pulling " + what);
    progress.on(new ProgressEvent(ref.tag() != null ? ref.tag() : ref.digest().toString(),
        "Pulling from " + ref.path(), 0, 0));
    Resolver.Fetched image = top;
    if (MediaType.isIndex(top.descriptor().mediaType())) {
      Descriptor chosen = Index.parse(top.bytes(), "index " + top.descriptor().digest() + " of " + what)
          .select(platform, what);
      image = resolver.fetch(ep, ref.path(), chosen.digest().toString(), chosen.digest(), "pulling " + what);
    }
    if (!MediaType.isManifest(image.descriptor().mediaType())) {
      throw new InvalidArgumentException("pulling " + what + ": " + image.descriptor().mediaType()
          + " is not an image manifest");
    }
    Manifest manifest = Manifest.parse(image.bytes(), "manifest " + image.descriptor().digest() + " of " + what);
    byte[] configBytes = fetchSmallBlob(ep, ref.path(), manifest.config(), store);
    ImageConfig config = ImageConfig.parse(configBytes, "image config " + manifest.config().digest() + " of " + what);
    List<Digest> diffIds = config.rootfs().diffIds();
    if (diffIds.size() != manifest.layers().size()) {
      throw new InvalidArgumentException("pulling " + what + ": manifest has " + manifest.layers().size()
          + " layers, config lists " + diffIds.size() + " diff_ids");
    }
    for (Descriptor layer : manifest.layers()) {
      progress.on(ProgressEvent.of(layer.digest().shortHex(), store.contains(layer.digest()) ? "Already exists" : "Pulling fs layer"));
    }
    List<ContentWriter> verified = downloadLayers(ep, ref.path(), manifest.layers(), diffIds, store, progress);
    try {
      int fetched = commitAll(verified, manifest.layers(), progress);
      boolean newConfig = !store.contains(manifest.config().digest());
      store.write(configBytes);
      store.write(image.bytes());
      progress.on(ProgressEvent.line("Digest: " + top.descriptor().digest()));
      return new PullResult(ref, image.descriptor(), top.descriptor().digest(), manifest.config().digest(),
          fetched + (newConfig ? 1 : 0));
    } finally {
      verified.stream().filter(w -> w != null).forEach(ContentWriter::close);
    }
  }

  /**
   * Commits the verified writers at once: each commit fsyncs its file and directory, and those
   * waits overlap rather than add up.
   */
  private static int commitAll(List<ContentWriter> verified, List<Descriptor> layers, ProgressListener progress) {
    var commits = new ArrayList<Future<?>>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < verified.size(); i++) {
        ContentWriter w = verified.get(i);
        if (w != null) {
          Descriptor layer = layers.get(i);
          commits.add(pool.submit(() -> {
            w.commit(layer.digest(), layer.size());
            progress.on(ProgressEvent.of(layer.digest().shortHex(), "Pull complete"));
            return null;
          }));
        }
      }
      for (Future<?> f : commits) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new UncheckedIOException(new IOException(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new dev.berth.errors.UnavailableException("pull interrupted", e);
        }
      }
    }
    return commits.size();
  }

  private byte[] fetchSmallBlob(Transport.Endpoint ep, String repository, Descriptor d, ContentStore store) {
    if (store.contains(d.digest())) {
      return store.readAllBytes(d.digest());
    }
    if (d.size() > dev.berth.oci.Json.MAX_METADATA_BYTES) {
      throw new InvalidArgumentException("config " + d.digest() + " is " + d.size() + " bytes, more than the limit");
    }
    try (var in = new BlobStream(transport, ep, repository, d.digest(), d.size())) {
      byte[] bytes = in.readAllBytes();
      Digest actual = Digest.of(d.digest().algorithm(), bytes);
      if (!actual.equals(d.digest()) || bytes.length != d.size()) {
        throw new InvalidArgumentException("pulling blob " + d.digest() + " from " + ep.host() + "/" + repository
            + ": content hashes to " + actual + " (" + bytes.length + " bytes), want " + d.digest() + " (" + d.size() + " bytes)");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writers in layer order, verified and not yet committed; null where the store held the layer. */
  private List<ContentWriter> downloadLayers(Transport.Endpoint ep, String repository, List<Descriptor> layers,
      List<Digest> diffIds, ContentStore store, ProgressListener progress) {
    var permits = new Semaphore(PARALLEL_LAYERS);
    var futures = new ArrayList<Future<ContentWriter>>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < layers.size(); i++) {
        Descriptor layer = layers.get(i);
        Digest diffId = diffIds.get(i);
        if (store.contains(layer.digest())) {
          futures.add(null);
          continue;
        }
        futures.add(pool.submit(() -> {
          permits.acquire();
          try {
            return downloadLayer(ep, repository, layer, diffId, store, progress);
          } finally {
            permits.release();
          }
        }));
      }
      var writers = new ArrayList<ContentWriter>();
      RuntimeException failure = null;
      for (Future<ContentWriter> f : futures) {
        try {
          writers.add(f == null ? null : f.get());
        } catch (ExecutionException e) {
          writers.add(null);
          RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new UncheckedIOException(
              new IOException(e.getCause()));
          if (failure == null) {
            failure = cause;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new dev.berth.errors.UnavailableException("pull interrupted", e);
        }
      }
      if (failure != null) {
        writers.stream().filter(w -> w != null).forEach(ContentWriter::close);
        throw failure;
      }
      return writers;
    }
  }

  private ContentWriter downloadLayer(Transport.Endpoint ep, String repository, Descriptor layer, Digest diffId,
      ContentStore store, ProgressListener progress) throws IOException {
    String id = layer.digest().shortHex();
    String action = "pulling layer " + layer.digest() + " from " + ep.host() + "/" + repository;
    ContentWriter w = store.writer(layer.digest().algorithm());
    try {
      MessageDigest uncompressed = verifyDiffIds ? diffId.algorithm().newMessageDigest() : null;
      Exception decodeFailure = null;
      try (var blob = new BlobStream(transport, ep, repository, layer.digest(), layer.size());
          var tee = new Tee(blob, w, id, layer.size(), progress)) {
        if (verifyDiffIds) {
          decodeFailure = hashUncompressed(layer, tee, uncompressed);
        }
        tee.drain();
      }
      progress.on(ProgressEvent.of(id, "Verifying Checksum"));
      Digest actual = w.digest();
      if (!actual.equals(layer.digest()) || w.size() != layer.size()) {
        throw new InvalidArgumentException(action + ": content hashes to " + actual + " (" + w.size()
            + " bytes), want " + layer.digest() + " (" + layer.size() + " bytes)");
      }
      if (decodeFailure != null) {
        throw new InvalidArgumentException(action + ": " + decodeFailure.getMessage(), decodeFailure);
      }
      if (verifyDiffIds) {
        Digest actualDiff = Digest.of(diffId.algorithm(), uncompressed);
        if (!actualDiff.equals(diffId)) {
          throw new InvalidArgumentException(action + ": uncompressed content hashes to " + actualDiff
              + ", the config's diff_id is " + diffId);
        }
      }
      progress.on(ProgressEvent.of(id, "Download complete"));
      return w;
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /**
   * Decompresses what {@code tee} reads into {@code into}; a decoding failure is returned, not
   * thrown, so that the caller reports a digest mismatch first (wrong bytes explain bad gzip).
   */
  private static Exception hashUncompressed(Descriptor layer, Tee tee, MessageDigest into) {
    try (InputStream plain = compressionOf(layer).decompress(new NonClosing(tee))) {
      byte[] buf = new byte[1 << 17];
      for (int n; (n = plain.read(buf)) > 0; ) {
        into.update(buf, 0, n);
      }
      return null;
    } catch (InvalidArgumentException | IOException e) {
      return e;
    }
  }

  private static Compression compressionOf(Descriptor layer) {
    return switch (String.valueOf(MediaType.layerCompression(layer.mediaType()))) {
      case "gzip" -> Compression.GZIP;
      case "zstd" -> Compression.ZSTD;
      default -> Compression.NONE;
    };
  }

  /** Copies what is read into the writer (which hashes it) and reports progress. */
  private static final class Tee extends InputStream {
    private final InputStream in;
    private final ContentWriter out;
    private final String id;
    private final long total;
    private final ProgressListener progress;
    private long count;
    private long reported;

    Tee(InputStream in, ContentWriter out, String id, long total, ProgressListener progress) {
      this.in = in;
      this.out = out;
      this.id = id;
      this.total = total;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        out.write(b, off, n);
        count += n;
        if (count - reported >= PROGRESS_STEP || count == total) {
          reported = count;
          progress.on(new ProgressEvent(id, "Downloading", count, total));
        }
      }
      return n;
    }

    /** Reads (and so stores and hashes) whatever the decompressor left, e.g. padding after the stream. */
    void drain() throws IOException {
      byte[] buf = new byte[1 << 20];
      while (read(buf, 0, buf.length) >= 0) {
        // keep reading
      }
    }
  }

  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public void close() {}
  }
}
