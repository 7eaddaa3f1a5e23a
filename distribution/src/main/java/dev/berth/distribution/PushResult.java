package dev.berth.distribution;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;

/**
 * What a push did.
 *
 * @param reference where the manifest went
 * @param digest the manifest's digest
 * @param size the manifest's size in bytes
 * @param blobsUploaded blobs uploaded; the others existed already or were mounted
 * @param blobsMounted blobs mounted from another repository of the registry
 */
public record PushResult(Reference reference, Digest digest, long size, int blobsUploaded, int blobsMounted) {}
