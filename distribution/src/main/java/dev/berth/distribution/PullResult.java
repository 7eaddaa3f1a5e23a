package dev.berth.distribution;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;

/**
 * What a pull stored.
 *
 * @param reference what was asked for, normalised
 * @param manifest the platform's image manifest, now in the content store
 * @param repoDigest the digest the reference resolved to (an index's digest when it was one), as in
 *     Docker's RepoDigests
 * @param configDigest the image ID
 * @param blobsFetched how many blobs were downloaded (those already present are not)
 */
public record PullResult(Reference reference, Descriptor manifest, Digest repoDigest, Digest configDigest, int blobsFetched) {}
