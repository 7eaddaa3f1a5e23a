package dev.berth.cli;

import dev.berth.distribution.Credential;
import dev.berth.distribution.DockerConfig;
import dev.berth.oci.Json;
import dev.berth.oci.Reference;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/** The X-Registry-Auth header for a reference, from the client's Docker config.json, as the docker CLI sends it. */
final class RegistryAuth {
  private RegistryAuth() {}

  /** The client's Docker config: {@code $DOCKER_CONFIG} of the CLI's environment, else {@code ~/.docker}. */
  static DockerConfig dockerConfig(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    return DockerConfig.at(dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".docker"));
  }

  static Map<String, String> headers(Map<String, String> env, Reference ref) {
    Credential c = dockerConfig(env).get(ref.domain());
    if (c.anonymous()) {
      return Map.of();
    }
    byte[] json = Json.write(Map.of("username", c.username(), "password", c.secret(), "serveraddress",
        DockerConfig.keyOf(ref.domain())));
    return Map.of("X-Registry-Auth", Base64.getUrlEncoder().encodeToString(json));
  }
}
