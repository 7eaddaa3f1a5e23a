package dev.berth.content;

/** Blobs by digest: read, ingest and manage, combined (containerd {@code core/content}). */
public interface ContentStore extends ContentProvider, ContentIngester, ContentManager {}
