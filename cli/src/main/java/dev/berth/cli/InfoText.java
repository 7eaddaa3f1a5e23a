package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code berth info}'s text: the fields of {@code GET /info} under docker's labels. */
final class InfoText {
  private InfoText() {}

  static String text(JsonNode i, String host) {
    var sb = new StringBuilder();
    sb.append("Client:\n");
    sb.append(" Version:    ").append(BerthCli.version()).append('\n');
    sb.append(" Host:       ").append(host).append('\n');
    sb.append("\nServer:\n");
    field(sb, " Containers", i, "Containers");
    field(sb, "  Running", i, "ContainersRunning");
    field(sb, "  Paused", i, "ContainersPaused");
    field(sb, "  Stopped", i, "ContainersStopped");
    field(sb, " Images", i, "Images");
    field(sb, " Server Version", i, "ServerVersion");
    field(sb, " Storage Driver", i, "Driver");
    for (JsonNode pair : i.path("DriverStatus")) {
      sb.append("  ").append(pair.path(0).asText()).append(": ").append(pair.path(1).asText()).append('\n');
    }
    field(sb, " Logging Driver", i, "LoggingDriver");
    field(sb, " Cgroup Driver", i, "CgroupDriver");
    field(sb, " Cgroup Version", i, "CgroupVersion");
    field(sb, " Default Runtime", i, "DefaultRuntime");
    field(sb, " Kernel Version", i, "KernelVersion");
    field(sb, " Operating System", i, "OperatingSystem");
    field(sb, " OSType", i, "OSType");
    field(sb, " Architecture", i, "Architecture");
    field(sb, " CPUs", i, "NCPU");
    if (i.has("MemTotal")) {
      sb.append(" Total Memory: ").append(Units.binarySize(i.path("MemTotal").asDouble())).append('\n');
    }
    field(sb, " Name", i, "Name");
    field(sb, " ID", i, "ID");
    field(sb, " Root Dir", i, "DockerRootDir");
    field(sb, " Debug Mode", i, "Debug");
    field(sb, " Experimental", i, "ExperimentalBuild");
    field(sb, " Live Restore Enabled", i, "LiveRestoreEnabled");
    for (JsonNode w : i.path("Warnings")) {
      sb.append(w.asText()).append('\n');
    }
    return sb.toString();
  }

  private static void field(StringBuilder sb, String label, JsonNode info, String key) {
    JsonNode v = info.get(key);
    if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
      sb.append(label).append(": ").append(v.asText()).append('\n');
    }
  }
}
