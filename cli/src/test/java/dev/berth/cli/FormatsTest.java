package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The list formats over answers captured from docker 20.10 (api/src/test/resources/golden). */
class FormatsTest {
  private static final long NOW = 1_795_776_474_000L; // two minutes after busybox was created
  private static final JsonNode IMAGES = json("""
      [{"Containers":-1,"Created":1795776354,"Id":"sha256:7464f11e097928045d62110e8596a72e14681d7dedce8c68968e9bea2e7b3ebe","Labels":null,"ParentId":"","RepoDigests":null,"RepoTags":["busybox:latest"],"SharedSize":-1,"Size":1984172,"VirtualSize":1984172},
       {"Containers":-1,"Created":1704164645,"Id":"sha256:2e21f8fb6f94163d22b9c8302fdb66421baa7ca7e58addca9e3f66818a2dd300","Labels":{"org.example":"yes"},"ParentId":"","RepoDigests":["app@sha256:983aae8e3fad2469cb26b312671ed9ac863884630b12c8cc85694f676c8fc1ce"],"RepoTags":["app:v1","localhost:5000/team/app:latest"],"SharedSize":-1,"Size":17,"VirtualSize":17},
       {"Containers":-1,"Created":1683356889,"Id":"sha256:965497db25bd18578e0c91c8e5835c837aebb22438093880aea9cce2a167f7c9","Labels":null,"ParentId":"","RepoDigests":["<none>@<none>"],"RepoTags":["<none>:<none>"],"SharedSize":-1,"Size":6,"VirtualSize":6}]""");

  private static JsonNode json(String s) {
    return Json.tree(s.getBytes(StandardCharsets.UTF_8), "test", 1 << 20);
  }

  private static List<JsonNode> rows(boolean trunc, boolean digests) {
    return ImageRows.rows(IMAGES, trunc, digests, NOW, ZoneOffset.UTC);
  }

  @Test
  void imagesTableAsDockerPrintsIt() {
    assertEquals("""
        REPOSITORY                TAG       IMAGE ID       CREATED         SIZE
        busybox                   latest    7464f11e0979   2 minutes ago   1.98MB
        app                       v1        2e21f8fb6f94   2 years ago     17B
        localhost:5000/team/app   latest    2e21f8fb6f94   2 years ago     17B
        <none>                    <none>    965497db25bd   3 years ago     6B
        """, Formats.render(ImagesCommand.TABLE, ImagesCommand.HEADERS, rows(true, false)));
  }

  @Test
  void digestsColumnAndQuietAndNoTrunc() {
    assertEquals("""
        REPOSITORY                TAG       DIGEST                                                                    IMAGE ID       CREATED         SIZE
        busybox                   latest    <none>                                                                    7464f11e0979   2 minutes ago   1.98MB
        app                       v1        sha256:983aae8e3fad2469cb26b312671ed9ac863884630b12c8cc85694f676c8fc1ce   2e21f8fb6f94   2 years ago     17B
        localhost:5000/team/app   latest    <none>                                                                    2e21f8fb6f94   2 years ago     17B
        <none>                    <none>    <none>                                                                    965497db25bd   3 years ago     6B
        """, Formats.render(ImagesCommand.TABLE_DIGESTS, ImagesCommand.HEADERS, rows(true, true)));
    assertEquals("7464f11e0979\n2e21f8fb6f94\n2e21f8fb6f94\n965497db25bd\n",
        Formats.render("{{.ID}}", ImagesCommand.HEADERS, rows(true, false)));
    assertEquals("sha256:7464f11e097928045d62110e8596a72e14681d7dedce8c68968e9bea2e7b3ebe",
        Formats.render("{{.ID}}", ImagesCommand.HEADERS, rows(false, false)).lines().findFirst().orElseThrow());
  }

  @Test
  void customTemplatesJsonAndTables() {
    assertEquals("busybox:latest\napp:v1\nlocalhost:5000/team/app:latest\n<none>:<none>\n",
        Formats.render("{{.Repository}}:{{.Tag}}", ImagesCommand.HEADERS, rows(true, false)));
    assertEquals("""
        {"Containers":"N/A","CreatedAt":"2026-11-27 10:45:54 +0000 Z","CreatedSince":"2 minutes ago","Digest":"<none>","ID":"7464f11e0979","Repository":"busybox","SharedSize":"N/A","Size":"1.98MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"1.98MB"}""",
        Formats.render("json", ImagesCommand.HEADERS, rows(true, false)).lines().findFirst().orElseThrow());
    assertEquals("""
        IMAGE ID       SIZE
        7464f11e0979   1.98MB
        """, Formats.render("table {{.ID}}\\t{{.Size}}", ImagesCommand.HEADERS, rows(true, false).subList(0, 1)));
    assertThrows(Template.TemplateException.class,
        () -> Formats.render("{{.Nope}}", ImagesCommand.HEADERS, rows(true, false)));
  }

  @Test
  void anEmptyListStillHasItsHeader() {
    assertEquals("REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n",
        Formats.render(ImagesCommand.TABLE, ImagesCommand.HEADERS, List.of()));
  }

  @Test
  void historyTable() {
    JsonNode history = json("""
        [{"Comment":"","Created":1795776354,"CreatedBy":"/bin/sh -c #(nop)\\tCMD [\\"sh\\"] and a long tail that will be cut","Id":"sha256:7464f11e097928045d62110e8596a72e14681d7dedce8c68968e9bea2e7b3ebe","Size":0,"Tags":["busybox:latest"]},
         {"Comment":"Imported from -","Created":1795776354,"CreatedBy":"","Id":"<missing>","Size":1984172,"Tags":null}]""");
    assertEquals("""
        IMAGE          CREATED         CREATED BY                                      SIZE      COMMENT
        7464f11e0979   2 minutes ago   /bin/sh -c #(nop) CMD ["sh"] and a long tail…   0B       \s
        <missing>      2 minutes ago                                                   1.98MB    Imported from -
        """, Formats.render(HistoryCommand.TABLE, HistoryCommand.HEADERS,
        HistoryRows.rows(history, true, true, NOW, ZoneOffset.UTC)));
    assertEquals("1984172", HistoryRows.rows(history, true, false, NOW, ZoneOffset.UTC).get(1).get("Size").asText());
  }

  @Test
  void filtersAreTheApisJson() {
    assertEquals("{\"dangling\":{\"true\":true},\"label\":{\"a=b\":true,\"c\":true}}",
        Formats.filters(List.of("dangling=true", "label=a=b", "label=c")));
    assertThrows(CliException.class, () -> Formats.filters(List.of("nokey")));
  }

  @Test
  void inspectJsonIsIndentedAsGoIndentsIt() throws Exception {
    String raw = "[{\"Id\":\"sha256:1\",\"RepoTags\":[],\"Config\":{\"Cmd\":[\"sh\",\"-c\",\"a && b <c>\"],\"Labels\":{}},"
        + "\"Size\":1.5e3,\"Metadata\":{\"LastTagTime\":\"0001-01-01T00:00:00Z\"},\"Parent\":null}]";
    assertEquals("""
        [
            {
                "Id": "sha256:1",
                "RepoTags": [],
                "Config": {
                    "Cmd": [
                        "sh",
                        "-c",
                        "a \\u0026\\u0026 b \\u003cc\\u003e"
                    ],
                    "Labels": {}
                },
                "Size": 1.5e3,
                "Metadata": {
                    "LastTagTime": "0001-01-01T00:00:00Z"
                },
                "Parent": null
            }
        ]""", JsonOut.indent(raw.getBytes(StandardCharsets.UTF_8)));
    assertEquals("[]", JsonOut.indent("[]".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void progressStreamsPrintLikeDockersJsonMessages() throws Exception {
    String stream = """
        {"status":"Loading layer","progressDetail":{"current":512,"total":1024},"progress":"[==>  ]","id":"abc"}
        {"stream":"Loaded image: app:v1\\n"}
        {"status":"sha256:2e21"}
        {"status":"Done","id":"abc"}
        """;
    var buf = new ByteArrayOutputStream();
    Progress.show(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), new PrintStream(buf, true,
        StandardCharsets.UTF_8), false);
    assertEquals("Loaded image: app:v1\nsha256:2e21\nabc: Done\n", buf.toString(StandardCharsets.UTF_8));

    var tty = new ByteArrayOutputStream();
    Progress.show(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), new PrintStream(tty, true,
        StandardCharsets.UTF_8), true);
    assertEquals("abc: Loading layer [==>  ]\r\033[2KLoaded image: app:v1\nsha256:2e21\nabc: Done\n",
        tty.toString(StandardCharsets.UTF_8));

    var err = assertThrows(CliException.class, () -> Progress.show(new ByteArrayInputStream(
        "{\"stream\":\"x\\n\"}{\"errorDetail\":{\"message\":\"unexpected EOF\"},\"error\":\"unexpected EOF\"}"
            .getBytes(StandardCharsets.UTF_8)), new PrintStream(new ByteArrayOutputStream()), false));
    assertEquals("unexpected EOF", err.getMessage());
  }
}
