package dev.berth.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.errors.InvalidArgumentException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerIgnoreTest {
  // Cases from moby/patternmatcher's TestMatches.
  @ParameterizedTest
  @CsvSource({
      "**,file,true", "**,dir/file,true", "**/,file,true", "dir/**,dir/file,true", "dir/**,dir/dir2/file,true",
      "**/dir,dir,true", "**/dir,dir/file,true", "**/dir2/*,dir/dir2/file,true", "**file,dir/dir/file,true",
      "**/file*.txt,dir/dir/file.txt,true", "**/**/*.txt2,dir/dir/file.txt,false", "**/*.txt,file.txt,true",
      "a**/*.txt,a/dir/file.txt,true", "a/*.txt,a/dir/file.txt,false", "a/*.txt,a/file.txt,true",
      "a[b-d]e,ae,false", "a[b-d]e,ace,true", "a[^b-d]e,aze,true", ".*,.foo,true", ".*,foo,false",
      "abc.def,abcdef,false", "abc?def,abcZdef,true", "abc?def,abcdef,false", "**/foo/bar,dir/foo/bar,true",
      "abc/**,abc,false", "abc/**,abc/def,true", "**/.foo,.foo,true", "**/.foo,bar.foo,false",
      "a(b)c/def,a(b)c/def,true", "dist/*.whl,dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl,true",
      "/abs/path,abs/path,true", "./rel,rel,true", "a/../b,b,true", "docs,docs/README.md,true", "*.go,x/y.go,false",
  })
  void matchesLikePatternMatcher(String pattern, String path, boolean excluded) {
    assertEquals(excluded, DockerIgnore.parse(pattern + "\n").excludes(path));
  }

  @Test
  void exceptionsAndOrder() {
    DockerIgnore ig = DockerIgnore.parse("""
        # comment
        *.md
        !README.md
        docs
        !docs/keep.txt
          node_modules  \s
        """);
    assertEquals(true, ig.excludes("CHANGES.md"));
    assertEquals(false, ig.excludes("README.md"));
    assertEquals(true, ig.excludes("docs/a.txt"));
    assertEquals(false, ig.excludes("docs/keep.txt"));
    assertEquals(true, ig.excludes("node_modules/x/y.js"));
    assertEquals(false, ig.excludes("src/main.c"));
    assertEquals(false, DockerIgnore.of(List.of("!fileutils.go", "*.go")).excludes("fileutils.go") == false);
    assertEquals(false, DockerIgnore.of(List.of("*.go", "!fileutils.go")).excludes("fileutils.go"));
    assertEquals(false, DockerIgnore.of(List.of("**", "!util/docker/web")).excludes("util/docker/web/foo"));
  }

  @Test
  void badPatterns() {
    assertThrows(InvalidArgumentException.class, () -> DockerIgnore.of(List.of("!")));
    assertThrows(InvalidArgumentException.class, () -> DockerIgnore.of(List.of("a[")));
  }
}
