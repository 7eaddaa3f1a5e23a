package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.Dockerd;
import dev.berth.testing.tools.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The container, list and volume answers have the fields a real dockerd 20.10 gives for the same
 * requests (API 1.41), at every level the docker CLI reads.
 */
class ContainerShapesTest {
  /** Fields dockerd 20.10 has that berth leaves out on purpose. */
  private static final Set<String> DOCKER_ONLY = Set.of(
      "HostConfig.KernelMemory", "HostConfig.KernelMemoryTCP", "HostConfig.Capabilities",
      "GraphDriver.Data.LowerDir", "GraphDriver.Data.MergedDir", "GraphDriver.Data.UpperDir", "GraphDriver.Data.WorkDir",
      "Mounts[].Name", "Mounts[].Driver");

  @Test
  void inspectListAndVolumeMatchDockerd() throws Exception {
    assumeTrue(Tools.find("dockerd").isPresent(), "no dockerd");
    try (var api = new ContainerApiFixture(); var dockerd = Dockerd.start()) {
      dockerd.docker("import", "--change", "CMD [\"sh\"]", api.dir.resolve("busybox.tar").toString(), "busybox:latest").checked();
      String[] create = {"create", "--name", "shape", "-v", "/tmp:/hostdir:ro", "-l", "a=b", "-e", "X=1", "busybox", "true"};
      dockerd.docker(create).checked();
      assertEquals(0, api.docker(create).exitCode());
      dockerd.docker("volume", "create", "vol").checked();
      api.docker("volume", "create", "vol");

      compare(get(dockerd.socket(), "/v1.41/containers/shape/json"), get(api.socket, "/v1.41/containers/shape/json"));
      compare(get(dockerd.socket(), "/v1.41/containers/json?all=1").get(0), get(api.socket, "/v1.41/containers/json?all=1").get(0));
      compare(get(dockerd.socket(), "/v1.41/volumes/vol"), get(api.socket, "/v1.41/volumes/vol"));
      dockerd.docker("rm", "shape").checked();
    }
  }

  private static JsonNode get(Path socket, String target) {
    var r = Command.of("curl", "-sS", "--unix-socket", socket.toString(), "http://localhost" + target).checked();
    return Json.tree(r.out().getBytes(StandardCharsets.UTF_8), target, 1 << 24);
  }

  private static void compare(JsonNode docker, JsonNode berth) {
    org.junit.jupiter.api.Assertions.assertFalse(docker.has("message"), docker::toString);
    org.junit.jupiter.api.Assertions.assertFalse(berth.has("message"), berth::toString);
    org.junit.jupiter.api.Assertions.assertTrue(docker.size() > 5, docker::toString);
    var missing = new TreeSet<String>();
    var extra = new TreeSet<String>();
    var kinds = new TreeMap<String, String>();
    walk("", docker, berth, missing, extra, kinds);
    missing.removeAll(DOCKER_ONLY);
    assertEquals(Set.of(), missing, "fields dockerd has and berth lacks");
    assertEquals(Set.of(), extra, "fields berth has and dockerd lacks");
    assertEquals(Map.of(), kinds, "fields of another JSON type");
  }

  private static void walk(String path, JsonNode d, JsonNode b, Set<String> missing, Set<String> extra, Map<String, String> kinds) {
    if (d.isObject() && b.isObject()) {
      d.properties().forEach(e -> {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (!b.has(e.getKey())) {
          missing.add(p);
        } else if (!p.equals("Config.Labels") && !p.equals("Labels") && !p.contains("Networks")) {
          walk(p, e.getValue(), b.get(e.getKey()), missing, extra, kinds);
        }
      });
      b.properties().forEach(e -> {
        if (!d.has(e.getKey())) {
          extra.add(path.isEmpty() ? e.getKey() : path + "." + e.getKey());
        }
      });
    } else if (d.isArray() && b.isArray() && !d.isEmpty() && !b.isEmpty()) {
      walk(path + "[]", d.get(0), b.get(0), missing, extra, kinds);
    } else if (!d.isNull() && !b.isNull() && d.getNodeType() != b.getNodeType()
        && !(d.isNumber() && b.isNumber())) {
      kinds.put(path, d.getNodeType() + " vs " + b.getNodeType());
    }
  }
}
