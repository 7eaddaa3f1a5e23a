package dev.berth.distribution;

import dev.berth.content.ContentProvider;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Index;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One push: for each blob, HEAD (exists?), else mount from another repository of the registry,
 * else upload (one PUT up to {@link #CHUNK} bytes, PATCH chunks with Content-Range above, resuming
 * from the offset the registry reports after a failed chunk); then the manifest by tag or digest.
 * An index goes up as its manifests by digest, then itself.
 */
final class Pusher {
  static final long CHUNK = 64L * 1024 * 1024;
  private static final int MAX_CHUNK_RESUMES = 5;

  private final Transport transport;
  private final long chunkSize;

  Pusher(Transport transport, long chunkSize) {
    this.transport = transport;
    this.chunkSize = chunkSize;
  }

  PushResult push(Reference ref, Descriptor target, ContentProvider content, List<String> mountFrom,
      ProgressListener progress) {
    Transport.Endpoint ep = transport.registryEndpoint(ref.domain());
    String repository = ref.path();
    String scope = "repository:" + repository + ":pull,push";
    byte[] manifestBytes = content.readAllBytes(target.digest());
    progress.on(ProgressEvent.line("The push refers to repository [" + ref.withTag(null).withDigest(null).familiar() + "]"));
    if (MediaType.isIndex(target.mediaType())) {
      return pushIndex(ep, ref, target, manifestBytes, content, mountFrom, progress);
    }
    Manifest manifest = Manifest.parse(manifestBytes, "manifest " + target.digest());
    var blobs = new ArrayList<Descriptor>(manifest.layers().reversed()); // Docker lists the top layer first
    for (Descriptor d : blobs) {
      progress.on(ProgressEvent.of(d.digest().shortHex(), "Preparing"));
    }
    blobs.add(manifest.config());
    var uploaded = new AtomicInteger();
    var mounted = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<Future<?>>();
      for (Descriptor d : blobs) {
        boolean quiet = d == manifest.config();
        futures.add(pool.submit(() -> {
          switch (pushBlob(ep, repository, scope, d, content, mountFrom, quiet ? ProgressListener.NONE : progress)) {
            case UPLOADED -> uploaded.incrementAndGet();
            case MOUNTED -> mounted.incrementAndGet();
            case EXISTS -> { }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new UnavailableException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new UnavailableException("push interrupted", e);
        }
      }
    }
    putManifest(ep, ref, target, manifestBytes, progress);
    return new PushResult(ref, target.digest(), manifestBytes.length, uploaded.get(), mounted.get());
  }

  /**
   * An index (a multi-platform image): each of its manifests by digest, then the index by tag (or
   * digest), as the registry wants what an index refers to in the repository before the index.
   */
  private PushResult pushIndex(Transport.Endpoint ep, Reference ref, Descriptor target, byte[] indexBytes,
      ContentProvider content, List<String> mountFrom, ProgressListener progress) {
    Index index = Index.parse(indexBytes, "index " + target.digest());
    for (Descriptor child : index.manifests()) {
      if (!content.contains(child.digest())) {
        throw new NotFoundException("pushing index " + target.digest() + " to " + ref + ": its manifest " + child.digest()
            + (child.platform() != null ? " (" + child.platform() + ")" : "") + " is not in the store"
            + " (pulled for one platform only?)");
      }
    }
    int uploaded = 0;
    int mounted = 0;
    for (Descriptor child : index.manifests()) {
      PushResult r = push(ref.withTag(null).withDigest(child.digest()), child, content, mountFrom, progress);
      uploaded += r.blobsUploaded();
      mounted += r.blobsMounted();
    }
    putManifest(ep, ref, target, indexBytes, progress);
    return new PushResult(ref, target.digest(), indexBytes.length, uploaded, mounted);
  }

  private void putManifest(Transport.Endpoint ep, Reference ref, Descriptor target, byte[] manifestBytes,
      ProgressListener progress) {
    String repository = ref.path();
    String scope = "repository:" + repository + ":pull,push";
    String reference = ref.tag() != null ? ref.tag() : target.digest().toString();
    String action = "pushing manifest " + target.digest() + " to " + ref.withTag(null).withDigest(null) + ":" + reference;
    var res = transport.send(ep, scope, action, () -> Http.Request.put(ep.resolve("/v2/" + repository + "/manifests/" + reference),
        new Http.Bytes(manifestBytes)).header("Content-Type", target.mediaType()));
    if (res.statusCode() != 201 && res.statusCode() != 200) {
      throw Transport.failure(action, ep, res);
    }
    Transport.readError(res);
    res.header("Docker-Content-Digest").filter(Digest::isDigest).map(Digest::parse).ifPresent(d -> {
      if (!d.equals(target.digest())) {
        throw new InvalidArgumentException(action + ": registry stored it as " + d);
      }
    });
    progress.on(ProgressEvent.line(reference + ": digest: " + target.digest() + " size: " + manifestBytes.length));
  }

  private enum Outcome { EXISTS, MOUNTED, UPLOADED }

  private Outcome pushBlob(Transport.Endpoint ep, String repository, String scope, Descriptor d, ContentProvider content,
      List<String> mountFrom, ProgressListener progress) {
    String id = d.digest().shortHex();
    String action = "pushing blob " + d.digest() + " to " + ep.host() + "/" + repository;
    var head = transport.send(ep, scope, action, () -> Http.Request.head(ep.resolve("/v2/" + repository + "/blobs/" + d.digest())));
    Transport.readError(head);
    if (head.statusCode() == 200) {
      progress.on(ProgressEvent.of(id, "Layer already exists"));
      return Outcome.EXISTS;
    }
    URI location = null;
    for (String from : mountFrom) {
      if (from.equals(repository)) {
        continue;
      }
      String mountScope = scope + " repository:" + from + ":pull";
      var res = transport.send(ep, mountScope, action, () -> Http.Request.post(ep.resolve("/v2/" + repository
          + "/blobs/uploads/?mount=" + d.digest() + "&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8))));
      Transport.readError(res);
      if (res.statusCode() == 201) {
        progress.on(ProgressEvent.of(id, "Mounted from " + from));
        return Outcome.MOUNTED;
      }
      if (res.statusCode() == 202) {
        location = locationOf(ep, res, action);
        break;
      }
    }
    if (location == null) {
      location = startUpload(ep, repository, scope, action);
    }
    upload(ep, repository, scope, action, location, d, content.path(d.digest()), id, progress);
    progress.on(ProgressEvent.of(id, "Pushed"));
    return Outcome.UPLOADED;
  }

  private URI startUpload(Transport.Endpoint ep, String repository, String scope, String action) {
    var res = transport.send(ep, scope, action, () -> Http.Request.post(ep.resolve("/v2/" + repository + "/blobs/uploads/")));
    if (res.statusCode() != 202) {
      throw Transport.failure(action + ": starting upload", ep, res);
    }
    Transport.readError(res);
    return locationOf(ep, res, action);
  }

  private void upload(Transport.Endpoint ep, String repository, String scope, String action, URI start, Descriptor d,
      Path file, String id, ProgressListener progress) {
    long size = d.size();
    URI location = start;
    if (size <= chunkSize) {
      // One request, and on failure a fresh upload session: simplest where nothing is worth resuming.
      for (int attempt = 1; ; attempt++) {
        URI target = withDigest(location, d.digest());
        Http.Response res;
        try {
          res = transport.send(ep, scope, action, () -> Http.Request.put(target, body(file, 0, size, id, size, progress))
              .header("Content-Type", "application/octet-stream"), false);
        } catch (UnavailableException e) {
          if (attempt >= 3) {
            throw e;
          }
          location = startUpload(ep, repository, scope, action);
          continue;
        }
        if (res.statusCode() == 201) {
          Transport.readError(res);
          return;
        }
        throw Transport.failure(action, ep, res);
      }
    }
    long offset = 0;
    int resumes = 0;
    while (offset < size) {
      long from = offset;
      long length = Math.min(chunkSize, size - from);
      URI target = location;
      Http.Response res = null;
      RuntimeException failure = null;
      try {
        res = transport.send(ep, scope, action, () -> Http.Request.patch(target, body(file, from, length, id, size, progress))
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", from + "-" + (from + length - 1)), false);
        if (res.statusCode() != 202) {
          failure = Transport.failure(action + ": uploading bytes " + from + "-" + (from + length - 1), ep, res);
        }
      } catch (UnavailableException e) {
        failure = e;
      }
      if (failure == null) {
        Transport.readError(res);
        location = locationOf(ep, res, action);
        offset = from + length;
        continue;
      }
      if (++resumes > MAX_CHUNK_RESUMES) {
        throw failure;
      }
      // Ask the registry how much it has and go on from there.
      var status = transport.send(ep, scope, action, () -> Http.Request.get(target));
      if (status.statusCode() == 404) {
        // The session is gone: distribution 2.x cancels an upload whose size no longer matches the
        // offset in its state (part of the failed chunk arrived). Start over in a new one.
        Transport.readError(status);
        location = startUpload(ep, repository, scope, action);
        offset = 0;
        continue;
      }
      if (status.statusCode() != 204) {
        failure.addSuppressed(Transport.failure(action + ": reading upload status", ep, status));
        throw failure;
      }
      Transport.readError(status);
      location = locationOf(ep, status, action);
      offset = status.header("Range").map(r -> Long.parseLong(r.substring(r.indexOf('-') + 1)) + 1).orElse(0L);
    }
    URI done = withDigest(location, d.digest());
    var res = transport.send(ep, scope, action, () -> Http.Request.put(done, null));
    if (res.statusCode() != 201) {
      throw Transport.failure(action + ": completing upload", ep, res);
    }
    Transport.readError(res);
  }

  /** The file's bytes {@code [from, from+length)}, reporting progress every 512 KB as they go out. */
  private static Http.Body body(Path file, long from, long length, String id, long total, ProgressListener progress) {
    long[] reported = {0};
    return new Http.FileRange(file, from, length, sent -> {
      if (sent - reported[0] >= 512 * 1024 || sent == length) {
        reported[0] = sent;
        progress.on(new ProgressEvent(id, "Pushing", from + sent, total));
      }
    });
  }

  private static URI locationOf(Transport.Endpoint ep, Http.Response res, String action) {
    String location = res.header("Location")
        .orElseThrow(() -> new InvalidArgumentException(action + ": registry answered " + res.statusCode() + " without a Location"));
    return res.uri().resolve(location);
  }

  private static URI withDigest(URI location, Digest digest) {
    String s = location.toString();
    return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
  }
}
