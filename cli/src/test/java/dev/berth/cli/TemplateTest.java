package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final JsonNode IMAGE = Json.tree("""
      {"Id":"sha256:2e21","RepoTags":["app:v1","localhost:5000/team/app:latest"],
       "Config":{"Env":["PATH=/bin","A=b"],"Labels":{"org.example":"yes","a":"1"},"Cmd":null},
       "Size":17,"Os":"linux"}""".getBytes(StandardCharsets.UTF_8), "test", 1 << 20);

  private static String render(String t) {
    return Template.parse(t, false).render(IMAGE);
  }

  @Test
  void fieldsAndText() {
    assertEquals("sha256:2e21 linux/17", render("{{.Id}} {{.Os}}/{{.Size}}"));
    assertEquals("[PATH=/bin A=b]", render("{{.Config.Env}}"));
    assertEquals("map[a:1 org.example:yes]", render("{{.Config.Labels}}"));
    assertEquals("<nil> <no value>", render("{{.Config.Cmd}} {{.Nope}}"));
  }

  @Test
  void functionsAndPipelines() {
    assertEquals("{\"org.example\":\"yes\",\"a\":\"1\"}", render("{{json .Config.Labels}}"));
    assertEquals("app:v1,localhost:5000/team/app:latest", render("{{join .RepoTags \",\"}}"));
    assertEquals("LINUX", render("{{.Os | upper}}"));
    assertEquals("yes", render("{{index .Config.Labels \"org.example\"}}"));
    assertEquals("2", render("{{len .RepoTags}}"));
    assertEquals("sha2", render("{{truncate .Id 4}}"));
    assertEquals("[a b c]", render("{{split \"a:b:c\" \":\"}}"));
    assertEquals("Linux", render("{{title .Os}}"));
    assertEquals("x\n", render("{{println \"x\"}}"));
    assertEquals("LINUX", render("{{upper (lower .Os)}}"));
  }

  @Test
  void controlFlowAndTrim() {
    assertEquals("app:v1;localhost:5000/team/app:latest;", render("{{range .RepoTags}}{{.}};{{end}}"));
    assertEquals("none", render("{{range .Config.Cmd}}{{.}}{{else}}none{{end}}"));
    assertEquals("linux!", render("{{if eq .Os \"linux\"}}linux!{{else}}other{{end}}"));
    assertEquals("a-b", render("a  {{- \"-\" -}}  b"));
  }

  @Test
  void strictTemplatesRejectUnknownFieldsAsDockersTypedRowsDo() {
    var e = assertThrows(Template.TemplateException.class, () -> Template.parse("{{.Nope}}", true).render(IMAGE));
    assertEquals("template: can't evaluate field Nope", e.getMessage());
    assertThrows(Template.TemplateException.class, () -> Template.parse("{{nofunc .Id}}", false).render(IMAGE));
    assertThrows(Template.TemplateException.class, () -> Template.parse("{{.Id", false));
    assertThrows(Template.TemplateException.class, () -> Template.parse("{{if .Id}}x", false));
  }
}
