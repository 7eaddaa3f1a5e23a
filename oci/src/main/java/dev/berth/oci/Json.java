package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;

/** The one JSON mapper of berth, and reads that turn bad JSON into clear errors. */
public final class Json {
  private Json() {}

  /** Manifests and indexes above this size are refused, as the distribution registry does (4 MiB). */
  public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  /** Image configs and archive metadata (manifest.json, index.json) above this size are refused. */
  public static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  static {
    MAPPER.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(MAX_METADATA_BYTES).build());
  }

  /** Parses {@code bytes} as {@code type}; {@code what} names the input in the error, e.g. "manifest sha256:…". */
  public static <T> T read(byte[] bytes, Class<T> type, String what, int maxBytes) {
    if (bytes.length > maxBytes) {
      throw new InvalidArgumentException(what + " is " + bytes.length + " bytes, more than the limit of " + maxBytes);
    }
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new InvalidArgumentException("malformed JSON in " + what + ": null");
      }
      return value;
    } catch (InvalidArgumentException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException("malformed JSON in " + what + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidArgumentException("reading " + what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Validation in a record's constructor surfaces wrapped by Jackson.
      Throwable root = e;
      while (root.getCause() != null && !(root instanceof InvalidArgumentException)) {
        root = root.getCause();
      }
      throw new InvalidArgumentException("invalid " + what + ": " + root.getMessage(), e);
    }
  }

  public static JsonNode tree(byte[] bytes, String what, int maxBytes) {
    return read(bytes, JsonNode.class, what, maxBytes);
  }

  /** Compact JSON with record fields in declaration order: stable bytes for what berth generates. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  public static String writeString(Object value) {
    return new String(write(value), java.nio.charset.StandardCharsets.UTF_8);
  }

  public static String writePretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }
}
