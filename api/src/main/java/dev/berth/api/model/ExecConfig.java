package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The body of {@code POST /containers/{id}/exec}. */
public record ExecConfig(
    @JsonProperty("User") String user,
    @JsonProperty("Privileged") boolean privileged,
    @JsonProperty("Tty") boolean tty,
    @JsonProperty("AttachStdin") boolean attachStdin,
    @JsonProperty("AttachStderr") boolean attachStderr,
    @JsonProperty("AttachStdout") boolean attachStdout,
    @JsonProperty("Detach") boolean detach,
    @JsonProperty("DetachKeys") String detachKeys,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Cmd") List<String> cmd) {}
