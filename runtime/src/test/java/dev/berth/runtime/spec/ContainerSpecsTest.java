package dev.berth.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.ContainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSpecsTest {
  private static ContainerConfig image(List<String> entrypoint, List<String> cmd) {
    return new ContainerConfig(null, null, null, null, null, null, null, null, null, null, List.of("PATH=/bin", "A=img"),
        cmd, null, null, null, null, null, entrypoint, null, null, null, null);
  }

  private static List<String> args(ContainerConfig img, List<String> entrypoint, List<String> cmd) {
    return ContainerSpecs.processArgs(img, RunConfig.builder().entrypoint(entrypoint).cmd(cmd).build());
  }

  @Test
  void entrypointAndCmdCombineAsDocker() {
    var img = image(List.of("/ep"), List.of("default"));
    assertEquals(List.of("/ep", "default"), args(img, null, List.of()));
    assertEquals(List.of("/ep", "x"), args(img, null, List.of("x")));
    assertEquals(List.of("/other"), args(img, List.of("/other"), List.of()));  // image Cmd dropped
    assertEquals(List.of("/other", "y"), args(img, List.of("/other"), List.of("y")));
    assertEquals(List.of("ls"), args(img, List.of(""), List.of("ls")));        // --entrypoint "" clears
    assertThrows(InvalidArgumentException.class, () -> args(img, List.of(""), List.of()));
    assertEquals(List.of("default"), args(img, List.of(), List.of()));        // empty (not null) keeps Cmd
    assertEquals(List.of("sh"), args(image(null, List.of("sh")), null, List.of()));
  }

  @Test
  void envMergesImageThenRunWithDefaults() {
    var env = ContainerSpecs.mergeEnv(List.of("A=img", "B=img"), List.of("B=run", "C=run"), "h1", true, "/root");
    assertEquals(List.of("PATH=" + Specs.DEFAULT_PATH, "HOSTNAME=h1", "TERM=xterm", "B=run", "C=run", "A=img",
        "HOME=/root"), env);
    var withPath = ContainerSpecs.mergeEnv(List.of("PATH=/x"), List.of("HOME=/h"), null, false, "/root");
    assertEquals(List.of("PATH=/x", "HOSTNAME=", "HOME=/h"), withPath);
  }

  @Test
  void capabilitiesAsDocker() {
    assertEquals(Capabilities.DEFAULT, Capabilities.resolve(List.of(), List.of(), false));
    var c = Capabilities.resolve(List.of("net_admin"), List.of("CAP_CHOWN"), false);
    assertTrue(c.contains("CAP_NET_ADMIN"));
    assertFalse(c.contains("CAP_CHOWN"));
    assertEquals(List.of("CAP_KILL"), Capabilities.resolve(List.of("KILL"), List.of("ALL"), false));
    assertEquals(Capabilities.ALL.size() - 1, Capabilities.resolve(List.of("ALL"), List.of("SYS_ADMIN"), false).size());
    assertThrows(InvalidArgumentException.class, () -> Capabilities.resolve(List.of("BOGUS"), List.of(), false));
  }

  @Test
  void seccompFollowsCapabilities() {
    var plain = SeccompProfile.resolve(Capabilities.DEFAULT, "amd64", new int[] {6, 1});
    var admin = SeccompProfile.resolve(List.of("CAP_SYS_ADMIN"), "amd64", new int[] {6, 1});
    assertEquals("SCMP_ACT_ERRNO", plain.defaultAction());
    assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), plain.architectures());
    assertFalse(allowed(plain, "mount"));
    assertTrue(allowed(admin, "mount"));
    assertTrue(allowed(plain, "read"));
    assertFalse(allowed(plain, "kexec_load"));
  }

  private static boolean allowed(Spec.Seccomp s, String name) {
    return s.syscalls().stream().anyMatch(r -> r.action().equals("SCMP_ACT_ALLOW") && r.names().contains(name));
  }

  @Test
  void usersResolveAndRefuseEscapes(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\napp:x:1000:\nwheel:x:10:app\n");
    var app = UserResolver.resolve(root, "app", List.of());
    assertEquals(1000, app.uid());
    assertEquals(List.of(1000L, 10L), app.additionalGids());
    assertEquals("/home/app", app.home());
    assertEquals(0, UserResolver.resolve(root, "", List.of()).uid());
    var numeric = UserResolver.resolve(root, "4242:10", List.of());
    assertEquals(4242, numeric.uid());
    assertEquals(10, numeric.gid());
    var e = assertThrows(InvalidArgumentException.class, () -> UserResolver.resolve(root, "app:nogroup", List.of()));
    assertEquals("unable to find group nogroup: no matching entries in group file", e.getMessage());
    // An absolute symlink resolves inside the rootfs, never to the host's /etc/passwd.
    Files.delete(root.resolve("etc/passwd"));
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../etc/shadow-like"));
    assertThrows(InvalidArgumentException.class, () -> UserResolver.resolve(root, "root", List.of()));
  }

  @Test
  void limitsParseAndRender() {
    assertEquals(64L << 20, Limits.parseBytes("memory", "64m"));
    assertEquals(1536L << 20, Limits.parseBytes("memory", "1.5g"));
    var e = assertThrows(InvalidArgumentException.class, () -> Limits.parseBytes("memory", "lots"));
    assertTrue(e.getMessage().contains("invalid memory \"lots\""));
    assertEquals(1_500_000_000L, Limits.parseCpus("1.5"));
    var spec = SpecOptions.resources(new Limits(64L << 20, 0, 1_500_000_000L, 512, 100)).apply(Specs.defaultSpec());
    var r = spec.linux().resources();
    assertEquals(128L << 20, r.memory().swap());
    assertEquals(150_000L, r.cpu().quota());
    assertEquals(100_000L, r.cpu().period());
    assertEquals(512L, r.cpu().shares());
    assertEquals(100, r.pids().limit());
  }

  @Test
  void rlimitsNeverExceedTheDaemons() {
    var host = new HostLimits(20000, 32768);
    var spec = SpecOptions.rlimits(host, List.of()).apply(Specs.defaultSpec());
    assertTrue(spec.process().rlimits().contains(new Spec.Rlimit("RLIMIT_NOFILE", 20000, 20000)));
    var e = assertThrows(InvalidArgumentException.class,
        () -> SpecOptions.rlimits(host, List.of(new Spec.Rlimit("nofile", 30000, 30000))));
    assertTrue(e.getMessage().contains("above berthd's own hard limit 20000"), e.getMessage());
  }

  @Test
  void hostNetworkHasNoNetNamespaceAndPrivilegedDropsConfinement() {
    var host = SpecOptions.network(new RunConfig.Network.Host()).apply(Specs.defaultSpec());
    assertTrue(host.linux().namespaces().stream().noneMatch(n -> n.type().equals("network")));
    var priv = SpecOptions.privileged().apply(Specs.defaultSpec());
    assertNull(priv.linux().seccomp());
    assertTrue(priv.linux().maskedPaths().isEmpty());
    assertEquals(Capabilities.ALL, priv.process().capabilities().bounding());
  }
}
