package dev.berth.logs;

import java.io.IOException;

/** Receives records as they are read; throwing (e.g. the client went away) stops the read. */
@FunctionalInterface
public interface LogSink {
  void accept(LogRecord record) throws IOException;
}
