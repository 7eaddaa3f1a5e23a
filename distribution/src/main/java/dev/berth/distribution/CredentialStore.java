package dev.berth.distribution;

/** Where credentials for a registry come from. {@link DockerConfig} reads Docker's config.json. */
@FunctionalInterface
public interface CredentialStore {
  CredentialStore ANONYMOUS = registry -> Credential.ANONYMOUS;

  /** The credential for {@code registry} (a host[:port], {@code docker.io} for Docker Hub); never null. */
  Credential get(String registry);

  /** Always {@code credential}, e.g. from X-Registry-Auth. */
  static CredentialStore of(Credential credential) {
    return registry -> credential;
  }
}
