package dev.berth.http;

import java.io.IOException;

/**
 * The peer sent something that is not valid HTTP/1.1. An IOException, because it surfaces from
 * reads of the wire (a request body included), and carries the status to answer with.
 */
final class BadMessageException extends IOException {
  private final int status;

  BadMessageException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
