package dev.berth.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {
  static List<Instruction> body(String text) {
    return Dockerfile.parse("Dockerfile", text).stages().getFirst().instructions();
  }

  static Instruction one(String line) {
    return body("FROM busybox\n" + line + "\n").getFirst();
  }

  static String error(String text) {
    return assertThrows(InvalidArgumentException.class, () -> Dockerfile.parse("Dockerfile", text)).getMessage();
  }

  @Test
  void everyInstruction() {
    Dockerfile df = Dockerfile.parse("Dockerfile", """
        # syntax=docker/dockerfile:1
        ARG BASE=busybox
        FROM --platform=linux/amd64 ${BASE} AS Build
        RUN --mount=type=cache,target=/root/.cache --network=none make all
        CMD ["sh", "-c", "echo hi"]
        ENTRYPOINT /bin/app --flag
        ENV A=1 B="two words"
        ENV LEGACY value with spaces
        ARG X Y=2
        LABEL "com.example.vendor"="ACME Inc" version=1.0
        EXPOSE 80 443/tcp 53/udp
        COPY --from=build --chown=1:2 --chmod=0755 --link a b /dst/
        ADD --checksum=sha256:abc --chown=app https://example.com/x.tar.gz /x
        WORKDIR /app
        USER nobody:nogroup
        VOLUME ["/data", "/logs"]
        VOLUME /a /b
        STOPSIGNAL SIGKILL
        HEALTHCHECK --interval=30s --timeout=1m30s --start-period=5s --start-interval=500ms --retries=3 CMD curl -f http://x/
        SHELL ["/bin/bash", "-c"]
        ONBUILD RUN echo triggered
        MAINTAINER someone@example.com
        """);
    assertEquals("docker/dockerfile:1", df.syntax());
    assertEquals("BASE", df.globalArgs().getFirst().args().getFirst().name());
    Dockerfile.Stage s = df.stages().getFirst();
    assertEquals(new Instruction.From(3, "FROM --platform=linux/amd64 ${BASE} AS Build", "${BASE}", "build", "linux/amd64"),
        s.from());
    List<Instruction> in = s.instructions();
    var run = assertInstanceOf(Instruction.Run.class, in.get(0));
    assertEquals(List.of("make all"), run.command().args());
    assertFalse(run.command().json());
    assertEquals("cache", run.mounts().getFirst().type());
    assertEquals("/root/.cache", run.mounts().getFirst().target());
    assertEquals("none", run.network());
    var cmd = assertInstanceOf(Instruction.Cmd.class, in.get(1));
    assertEquals(List.of("sh", "-c", "echo hi"), cmd.command().args());
    assertTrue(cmd.command().json());
    assertEquals(List.of("/bin/app --flag"), assertInstanceOf(Instruction.Entrypoint.class, in.get(2)).command().args());
    var env = assertInstanceOf(Instruction.Env.class, in.get(3));
    assertEquals(List.of(new Instruction.KeyValue("A", "1", false), new Instruction.KeyValue("B", "\"two words\"", false)),
        env.pairs());
    assertEquals(List.of(new Instruction.KeyValue("LEGACY", "value with spaces", true)),
        assertInstanceOf(Instruction.Env.class, in.get(4)).pairs());
    assertEquals(List.of(new Instruction.ArgDef("X", null), new Instruction.ArgDef("Y", "2")),
        assertInstanceOf(Instruction.Arg.class, in.get(5)).args());
    var label = assertInstanceOf(Instruction.Label.class, in.get(6));
    assertEquals("\"com.example.vendor\"", label.pairs().getFirst().key());
    assertEquals(List.of("443/tcp", "53/udp", "80"), assertInstanceOf(Instruction.Expose.class, in.get(7)).ports());
    var copy = assertInstanceOf(Instruction.Copy.class, in.get(8));
    assertEquals("build", copy.from());
    assertEquals("1:2", copy.chown());
    assertEquals("0755", copy.chmod());
    assertTrue(copy.link());
    assertEquals(new Instruction.Sources(List.of("a", "b"), List.of(), "/dst/"), copy.sources());
    var add = assertInstanceOf(Instruction.Add.class, in.get(9));
    assertEquals("sha256:abc", add.checksum());
    assertEquals(List.of("https://example.com/x.tar.gz"), add.sources().paths());
    assertEquals("/app", assertInstanceOf(Instruction.Workdir.class, in.get(10)).path());
    assertEquals("nobody:nogroup", assertInstanceOf(Instruction.User.class, in.get(11)).user());
    assertEquals(List.of("/data", "/logs"), assertInstanceOf(Instruction.Volume.class, in.get(12)).paths());
    assertEquals(List.of("/a", "/b"), assertInstanceOf(Instruction.Volume.class, in.get(13)).paths());
    assertEquals("SIGKILL", assertInstanceOf(Instruction.StopSignal.class, in.get(14)).signal());
    var hc = assertInstanceOf(Instruction.Healthcheck.class, in.get(15)).health();
    assertEquals(new Instruction.Health(List.of("CMD-SHELL", "curl -f http://x/"), Duration.ofSeconds(30),
        Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofMillis(500), 3), hc);
    assertEquals(List.of("/bin/bash", "-c"), assertInstanceOf(Instruction.Shell.class, in.get(16)).shell());
    var onbuild = assertInstanceOf(Instruction.OnBuild.class, in.get(17));
    assertEquals("RUN echo triggered", onbuild.expression());
    assertInstanceOf(Instruction.Run.class, onbuild.trigger());
    assertEquals("someone@example.com", assertInstanceOf(Instruction.Maintainer.class, in.get(18)).name());
    assertTrue(df.warnings().stream().anyMatch(w -> w.contains("MAINTAINER is deprecated")));
  }

  @Test
  void continuationsCommentsAndEmptyLines() {
    Dockerfile df = Dockerfile.parse("Dockerfile", """
        FROM busybox
        RUN echo a \\
          # a comment inside the continuation
            && echo b \\

            && echo c
        RUN echo \\\\
        """);
    List<Instruction> in = df.stages().getFirst().instructions();
    assertEquals(List.of("echo a     && echo b     && echo c"), ((Instruction.Run) in.get(0)).command().args());
    assertEquals(2, in.get(0).line());
    assertEquals(7, in.get(1).line());
    assertTrue(df.warnings().getFirst().contains("empty continuation line"), df.warnings().toString());
  }

  @Test
  void escapeDirectiveChangesContinuationToken() {
    Dockerfile df = Dockerfile.parse("Dockerfile", "# escape=`\nFROM windows\nRUN dir c:\\ `\n  /s\n");
    assertEquals('`', df.escapeToken());
    assertEquals(List.of("dir c:\\   /s"), ((Instruction.Run) df.stages().getFirst().instructions().getFirst()).command().args());
  }

  @Test
  void directivesOnlyAtTheTop() {
    Dockerfile df = Dockerfile.parse("Dockerfile", "FROM busybox\n# escape=`\nRUN a \\\n b\n");
    assertEquals('\\', df.escapeToken());
    assertTrue(error("# escape=\\\n# escape=`\nFROM x\n").contains("Dockerfile:2: only one escape parser directive"));
    assertTrue(error("# escape=x\nFROM x\n").contains("invalid escape token 'x'"));
    assertTrue(Dockerfile.parse("Dockerfile", "# check=skip=all\nFROM x\n").warnings().getFirst().contains("check"));
  }

  @Test
  void heredocs() {
    List<Instruction> in = body("""
        FROM busybox
        RUN <<EOF
        echo $HOME
        EOF
        RUN <<-"EOT" cat > /x && 3<<END cat
        \t\tindented
        \tEOT
        second
        END
        COPY <<one <<'two' /dir/
        1 $A
        one
        2 $A
        two
        RUN ["echo", "<<EOF"]
        """);
    var r1 = (Instruction.Run) in.get(0);
    assertEquals(List.of(new Instruction.Heredoc("EOF", "echo $HOME\n", true, false, 0)), r1.command().heredocs());
    var r2 = (Instruction.Run) in.get(1);
    assertEquals(2, r2.command().heredocs().size());
    Instruction.Heredoc h = r2.command().heredocs().getFirst();
    assertEquals("EOT", h.name());
    assertFalse(h.expand());
    assertTrue(h.chomp());
    assertEquals("indented\n", h.body());
    assertEquals(3, r2.command().heredocs().get(1).fileDescriptor());
    var copy = (Instruction.Copy) in.get(2);
    assertEquals(List.of(), copy.sources().paths());
    assertEquals("/dir/", copy.sources().dest());
    assertEquals("1 $A\n", copy.sources().inline().get(0).content());
    assertTrue(copy.sources().inline().get(0).expand());
    assertFalse(copy.sources().inline().get(1).expand());
    assertEquals(10, in.get(2).line());
    var json = (Instruction.Run) in.get(3);
    assertEquals(List.of("echo", "<<EOF"), json.command().args());
    assertTrue(json.command().heredocs().isEmpty());
    assertTrue(error("FROM x\nRUN <<EOF\necho\n").contains("Dockerfile:2: unterminated heredoc"));
    assertTrue(error("FROM x\nCOPY a <<EOF\nx\nEOF\n").contains("COPY cannot accept a heredoc as a destination"));
  }

  @Test
  void jsonAndShellForms() {
    assertEquals(List.of("[not json"), ((Instruction.Cmd) one("CMD [not json")).command().args());
    assertFalse(((Instruction.Cmd) one("CMD [\"a\", 'b']")).command().json());
    assertTrue(error("FROM x\nCMD [\"a\", 1]\n").contains("Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only"));
    assertTrue(error("FROM x\nSHELL /bin/sh -c\n").contains("SHELL requires the arguments to be in JSON form"));
    var jsonCopy = (Instruction.Copy) one("COPY [\"a b\", \"c d\"]");
    assertEquals(List.of("a b"), jsonCopy.sources().paths());
    assertEquals("c d", jsonCopy.sources().dest());
    var hcNone = (Instruction.Healthcheck) one("HEALTHCHECK NONE");
    assertEquals(List.of("NONE"), hcNone.health().test());
    assertEquals(List.of("CMD", "true"), ((Instruction.Healthcheck) one("HEALTHCHECK CMD [\"true\"]")).health().test());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "RUNN echo|Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)",
      "ENV =x|Dockerfile:2: ENV names can not be blank",
      "ENV|Dockerfile:2: ENV requires at least one argument",
      "ENV onlykey|Dockerfile:2: ENV must have two arguments",
      "ENV a=1 b|Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value",
      "LABEL =x|Dockerfile:2: LABEL names can not be blank",
      "ARG =x|Dockerfile:2: ARG names can not be blank",
      "COPY onlyone|Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined",
      "ADD x|Dockerfile:2: ADD requires at least two arguments",
      "COPY --chwon=1 a b|Dockerfile:2: unknown flag: --chwon",
      "COPY --from a b|Dockerfile:2: missing a value on flag: --from",
      "COPY --link=maybe a b|Dockerfile:2: expecting boolean value for flag --link, not: maybe",
      "WORKDIR|Dockerfile:2: WORKDIR requires exactly one argument",
      "EXPOSE|Dockerfile:2: EXPOSE requires at least one argument",
      "USER|Dockerfile:2: USER requires exactly one argument",
      "VOLUME []|Dockerfile:2: VOLUME requires at least one argument",
      "STOPSIGNAL|Dockerfile:2: STOPSIGNAL requires exactly one argument",
      "HEALTHCHECK NONE x|Dockerfile:2: HEALTHCHECK NONE takes no arguments",
      "HEALTHCHECK CMD|Dockerfile:2: Missing command after HEALTHCHECK CMD",
      "HEALTHCHECK FOO x|Dockerfile:2: Unknown type \"FOO\" in HEALTHCHECK (try CMD)",
      "HEALTHCHECK --retries=-1 CMD x|Dockerfile:2: --retries cannot be negative (-1)",
      "HEALTHCHECK --interval=1ns CMD x|Dockerfile:2: Interval \"interval\" cannot be less than 1ms",
      "ONBUILD ONBUILD RUN x|Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
      "ONBUILD FROM x|Dockerfile:2: FROM isn't allowed as an ONBUILD trigger",
      "ONBUILD MAINTAINER x|Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger",
      "RUN --mount=type=weird,target=/x true|Dockerfile:2: unsupported mount type \"weird\"",
      "RUN --network=bridge true|Dockerfile:2: unsupported network mode \"bridge\"",
      "FROM a AS 1x|Dockerfile:2: invalid name for build stage: \"1x\", name can't start with a number or contain symbols",
      "FROM a b|Dockerfile:2: FROM requires either one or three arguments",
      "CMD --foo=1 x|Dockerfile:2: unknown flag: --foo",
  })
  void errorsNameFileLineAndProblem(String line, String expected) {
    String msg = error("FROM busybox\n" + line + "\n");
    assertTrue(msg.startsWith(expected), msg);
  }

  @Test
  void fileLevelErrors() {
    assertEquals("Dockerfile: file with no instructions", error("# only a comment\n\n"));
    assertTrue(error("RUN x\nFROM y\n").startsWith("Dockerfile:1: no build stage in current context"));
    assertTrue(error("FROM a AS x\nFROM b AS X\n").startsWith("Dockerfile:2: duplicate stage name \"x\""));
  }

  @Test
  void stagesAndGlobalArgs() {
    Dockerfile df = Dockerfile.parse("Dockerfile", "ARG V=1\nFROM a AS one\nRUN x\nFROM one\nCOPY --from=0 /a /b\n");
    assertEquals(2, df.stages().size());
    assertEquals("one", df.stage("ONE").name());
    assertEquals(1, df.stage("1").index());
    assertNull(df.stage("nope"));
    assertEquals(1, df.stages().get(1).instructions().size());
  }

  @Test
  void bomAndCrlf() {
    Dockerfile df = Dockerfile.parse("Dockerfile", "\uFEFFFROM busybox\r\nRUN echo a \\\r\n  b\r\n");
    assertEquals(List.of("echo a   b"), ((Instruction.Run) df.stages().getFirst().instructions().getFirst()).command().args());
  }

  @Test
  void variableSubstitution() {
    ShellLex lex = new ShellLex('\\');
    Map<String, String> env = Map.of("A", "a", "EMPTY", "", "P", "/usr/local/bin:/usr/bin");
    assertEquals("a-a-a", lex.processWord("$A-${A}-\"$A\"", env));
    assertEquals("def", lex.processWord("${UNSET:-def}", env));
    assertEquals("def", lex.processWord("${EMPTY:-def}", env));
    assertEquals("", lex.processWord("${EMPTY-def}", env));
    assertEquals("def", lex.processWord("${UNSET-def}", env));
    assertEquals("alt", lex.processWord("${A:+alt}", env));
    assertEquals("", lex.processWord("${EMPTY:+alt}", env));
    assertEquals("alt", lex.processWord("${EMPTY+alt}", env));
    assertEquals("", lex.processWord("${UNSET+alt}", env));
    assertEquals("$A ${A}", lex.processWord("\\$A \\${A}", env));
    assertEquals("$A", lex.processWord("'$A'", env));
    assertEquals("local/bin:/usr/bin", lex.processWord("${P#/usr/}", env));
    assertEquals("/usr/local/bin", lex.processWord("${P%:*}", env));
    assertEquals("/usr/local/bin;/usr/bin", lex.processWord("${P/:/;}", env));
    assertEquals(List.of("a", "b c", "x"), lex.processWords("$A \"b c\" x", env));
    assertTrue(assertThrows(InvalidArgumentException.class, () -> lex.processWord("${A", env)).getMessage()
        .contains("missing '}'"));
    assertTrue(assertThrows(InvalidArgumentException.class, () -> lex.processWord("${:}", env)).getMessage()
        .contains("bad substitution"));
    assertTrue(assertThrows(InvalidArgumentException.class, () -> lex.processWord("${UNSET:?must be set}", env))
        .getMessage().contains("UNSET: must be set"));
    assertEquals("`$A", new ShellLex('`').processWord("```$A", env));
  }

  @Test
  void goDurationsRoundTrip() {
    assertEquals(Duration.ofSeconds(90), GoDurations.parse("1m30s"));
    assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
    assertEquals("1m30s", GoDurations.format(Duration.ofSeconds(90)));
    assertEquals("500ms", GoDurations.format(Duration.ofMillis(500)));
    assertEquals("0s", GoDurations.format(Duration.ZERO));
    assertEquals("1h0m0s", GoDurations.format(Duration.ofHours(1)));
  }
}
