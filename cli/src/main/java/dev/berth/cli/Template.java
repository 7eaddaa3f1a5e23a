package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.berth.oci.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The part of Go's {@code text/template} that docker's {@code --format} is used with, over JSON
 * values: {@code {{.Field.Sub}}}, pipelines ({@code {{.Name | lower}}}), parentheses, string and
 * number literals, {@code {{if}}}/{@code {{else}}}/{@code {{range}}}/{@code {{end}}}, trim markers
 * ({@code {{-}} and {@code -}}}), and docker's functions: {@code json join split lower upper title
 * truncate pad println index len eq ne not}. No variables, no {@code with}, no {@code define}.
 *
 * <pre>{@code
 * Template.parse("{{.Repository}}:{{.Tag}}", true).render(row)
 * }</pre>
 *
 * <p>A value prints as Go's {@code %v} would print the decoded JSON: strings bare, arrays as
 * {@code [a b]}, objects as {@code map[k:v]} with sorted keys, null as {@code <nil>}.
 */
final class Template {
  /** A template that cannot be parsed or executed; docker prints these and exits with 1. */
  static final class TemplateException extends RuntimeException {
    TemplateException(String message) {
      super("template: " + message);
    }
  }

  private sealed interface Node permits Text, Action, If, Range {}

  private record Text(String text) implements Node {}

  private record Action(Expr pipeline) implements Node {}

  private record If(Expr condition, List<Node> then, List<Node> otherwise) implements Node {}

  private record Range(Expr over, List<Node> body, List<Node> otherwise) implements Node {}

  private sealed interface Expr permits Field, Literal, Call {}

  /** {@code .} is an empty path. */
  private record Field(List<String> path) implements Expr {}

  private record Literal(JsonNode value) implements Expr {}

  private record Call(String function, List<Expr> args) implements Expr {}

  private final List<Node> nodes;
  private final boolean strict;

  private Template(List<Node> nodes, boolean strict) {
    this.nodes = nodes;
    this.strict = strict;
  }

  /**
   * @param strict whether a field the data lacks is an error (docker's typed rows, e.g. images)
   *     rather than {@code <no value>} (inspect, where docker falls back to the raw JSON map)
   */
  static Template parse(String text, boolean strict) {
    var parser = new Parser(text);
    List<Node> nodes = parser.nodes(false);
    return new Template(nodes, strict);
  }

  String render(JsonNode data) {
    var sb = new StringBuilder();
    run(nodes, data, sb);
    return sb.toString();
  }

  private void run(List<Node> list, JsonNode dot, StringBuilder out) {
    for (Node node : list) {
      switch (node) {
        case Text t -> out.append(t.text());
        case Action a -> out.append(print(eval(a.pipeline(), dot)));
        case If i -> run(truthy(eval(i.condition(), dot)) ? i.then() : i.otherwise(), dot, out);
        case Range r -> {
          JsonNode over = eval(r.over(), dot);
          List<JsonNode> items = new ArrayList<>();
          if (over.isArray()) {
            over.forEach(items::add);
          } else if (over.isObject()) {
            var sorted = new TreeMap<String, JsonNode>();
            over.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            items.addAll(sorted.values());
          } else if (!over.isNull() && !over.isMissingNode()) {
            throw new TemplateException("range can't iterate over " + print(over));
          }
          if (items.isEmpty()) {
            run(r.otherwise(), dot, out);
          }
          for (JsonNode item : items) {
            run(r.body(), item, out);
          }
        }
      }
    }
  }

  private JsonNode eval(Expr expr, JsonNode dot) {
    return switch (expr) {
      case Literal l -> l.value();
      case Field f -> {
        JsonNode v = dot;
        for (String name : f.path()) {
          if (v.isObject()) {
            JsonNode next = v.get(name);
            if (next == null) {
              if (strict) {
                throw new TemplateException("can't evaluate field " + name);
              }
              yield MissingNode.getInstance();
            }
            v = next;
          } else if (v.isNull() || v.isMissingNode()) {
            yield MissingNode.getInstance();
          } else {
            throw new TemplateException("can't evaluate field " + name + " in " + print(v));
          }
        }
        yield v;
      }
      case Call c -> {
        List<JsonNode> args = new ArrayList<>(c.args().size());
        for (Expr e : c.args()) {
          args.add(eval(e, dot));
        }
        yield call(c.function(), args);
      }
    };
  }

  private static JsonNode call(String fn, List<JsonNode> args) {
    var nodes = JsonNodeFactory.instance;
    return switch (fn) {
      case "json" -> text(Json.writeString(arg(fn, args, 0, 1)));
      case "lower" -> text(print(arg(fn, args, 0, 1)).toLowerCase(Locale.ROOT));
      case "upper" -> text(print(arg(fn, args, 0, 1)).toUpperCase(Locale.ROOT));
      case "title" -> text(title(print(arg(fn, args, 0, 1))));
      case "println" -> {
        var sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
          sb.append(i > 0 ? " " : "").append(print(args.get(i)));
        }
        yield text(sb.append('\n').toString());
      }
      case "join" -> {
        JsonNode list = arg(fn, args, 0, 2);
        var parts = new ArrayList<String>();
        list.forEach(e -> parts.add(print(e)));
        yield text(String.join(print(args.get(1)), parts));
      }
      case "split" -> {
        ArrayNode out = nodes.arrayNode();
        String sep = print(arg(fn, args, 1, 2));
        for (String part : print(args.get(0)).split(java.util.regex.Pattern.quote(sep), -1)) {
          out.add(part);
        }
        yield out;
      }
      case "truncate" -> {
        String s = print(arg(fn, args, 0, 2));
        int n = args.get(1).asInt();
        yield text(s.codePointCount(0, s.length()) <= n ? s : s.substring(0, s.offsetByCodePoints(0, n)));
      }
      case "pad" -> {
        String s = print(arg(fn, args, 0, 3));
        yield text(" ".repeat(args.get(1).asInt()) + s + " ".repeat(args.get(2).asInt()));
      }
      case "len" -> {
        JsonNode v = arg(fn, args, 0, 1);
        yield IntNode.valueOf(v.isTextual() ? v.asText().length() : v.size());
      }
      case "index" -> {
        JsonNode v = arg(fn, args, 0, 2);
        JsonNode key = args.get(1);
        JsonNode found = key.isNumber() ? v.get(key.asInt()) : v.get(key.asText());
        yield found == null ? MissingNode.getInstance() : found;
      }
      case "eq" -> BooleanNode.valueOf(print(arg(fn, args, 0, 2)).equals(print(args.get(1))));
      case "ne" -> BooleanNode.valueOf(!print(arg(fn, args, 0, 2)).equals(print(args.get(1))));
      case "not" -> BooleanNode.valueOf(!truthy(arg(fn, args, 0, 1)));
      default -> throw new TemplateException("function \"" + fn + "\" not defined");
    };
  }

  private static JsonNode arg(String fn, List<JsonNode> args, int i, int want) {
    if (args.size() != want) {
      throw new TemplateException("wrong number of args for " + fn + ": want " + want + " got " + args.size());
    }
    return args.get(i);
  }

  private static TextNode text(String s) {
    return TextNode.valueOf(s);
  }

  private static String title(String s) {
    var sb = new StringBuilder(s.length());
    boolean start = true;
    for (char c : s.toCharArray()) {
      sb.append(start ? Character.toTitleCase(c) : c);
      start = !Character.isLetterOrDigit(c);
    }
    return sb.toString();
  }

  /** Go's truth: false, 0, "", null and empty collections are false. */
  private static boolean truthy(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.doubleValue() != 0;
    }
    if (v.isTextual()) {
      return !v.textValue().isEmpty();
    }
    return v.size() > 0;
  }

  /** Go's {@code %v} of a decoded JSON value. */
  static String print(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "<no value>";
    }
    if (v.isNull()) {
      return "<nil>";
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isArray()) {
      var sb = new StringBuilder("[");
      for (int i = 0; i < v.size(); i++) {
        sb.append(i > 0 ? " " : "").append(print(v.get(i)));
      }
      return sb.append(']').toString();
    }
    if (v.isObject()) {
      var sorted = new TreeMap<String, JsonNode>();
      v.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
      var sb = new StringBuilder("map[");
      boolean first = true;
      for (var e : sorted.entrySet()) {
        sb.append(first ? "" : " ").append(e.getKey()).append(':').append(print(e.getValue()));
        first = false;
      }
      return sb.append(']').toString();
    }
    return v.asText();
  }

  /** A recursive-descent parser over the template text; actions are tokenised as they come. */
  private static final class Parser {
    private final String src;
    private int pos;
    private String pendingKeyword; // "else" or "end" that ended the last nested list

    Parser(String src) {
      this.src = src;
    }

    List<Node> nodes(boolean nested) {
      List<Node> out = new ArrayList<>();
      while (pos < src.length()) {
        int open = src.indexOf("{{", pos);
        String text = src.substring(pos, open < 0 ? src.length() : open);
        if (open < 0) {
          addText(out, text);
          pos = src.length();
          break;
        }
        boolean trimLeft = src.startsWith("{{- ", open) || src.startsWith("{{-\t", open);
        addText(out, trimLeft ? text.stripTrailing() : text);
        int close = findClose(open + 2);
        boolean trimRight = close >= 2 && src.startsWith(" -", close - 2) || src.startsWith("\t-", close - 2);
        String body = src.substring(open + (trimLeft ? 3 : 2), trimRight ? close - 2 : close).strip();
        pos = close + 2;
        if (trimRight) {
          while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
          }
        }
        var lexer = new Lexer(body);
        String keyword = lexer.peekWord();
        switch (keyword == null ? "" : keyword) {
          case "if", "range" -> {
            lexer.next();
            Expr cond = lexer.pipeline();
            List<Node> then = nodes(true);
            List<Node> otherwise = List.of();
            if ("else".equals(pendingKeyword)) {
              otherwise = nodes(true);
            }
            if (!"end".equals(pendingKeyword)) {
              throw new TemplateException("unexpected EOF: missing {{end}} for " + keyword);
            }
            pendingKeyword = null;
            out.add(keyword.equals("if") ? new If(cond, then, otherwise) : new Range(cond, then, otherwise));
          }
          case "else", "end" -> {
            if (!nested) {
              throw new TemplateException("unexpected {{" + keyword + "}}");
            }
            pendingKeyword = keyword;
            return out;
          }
          case "" -> {
            if (body.startsWith("/*")) {
              continue; // a comment
            }
            out.add(new Action(lexer.pipeline()));
          }
          default -> out.add(new Action(lexer.pipeline()));
        }
      }
      if (nested) {
        throw new TemplateException("unexpected EOF: missing {{end}}");
      }
      return out;
    }

    private void addText(List<Node> out, String text) {
      if (!text.isEmpty()) {
        out.add(new Text(text));
      }
    }

    /** The {@code }}} that closes an action, skipping over quoted strings. */
    private int findClose(int from) {
      char quote = 0;
      for (int i = from; i < src.length(); i++) {
        char c = src.charAt(i);
        if (quote != 0) {
          if (c == '\\' && quote == '"') {
            i++;
          } else if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '`') {
          quote = c;
        } else if (c == '}' && i + 1 < src.length() && src.charAt(i + 1) == '}') {
          return i;
        }
      }
      throw new TemplateException("unclosed action");
    }
  }

  private static final class Lexer {
    private final String s;
    private int i;

    Lexer(String s) {
      this.s = s;
    }

    String peekWord() {
      skipSpace();
      int j = i;
      while (j < s.length() && Character.isLetter(s.charAt(j))) {
        j++;
      }
      return j > i ? s.substring(i, j) : null;
    }

    void next() {
      skipSpace();
      while (i < s.length() && Character.isLetter(s.charAt(i))) {
        i++;
      }
    }

    Expr pipeline() {
      Expr left = command();
      skipSpace();
      while (i < s.length() && s.charAt(i) == '|') {
        i++;
        Expr right = command();
        // The piped value is the last argument of the next command.
        if (!(right instanceof Call call)) {
          throw new TemplateException("non executable command in pipeline stage");
        }
        var args = new ArrayList<>(call.args());
        args.add(left);
        left = new Call(call.function(), args);
        skipSpace();
      }
      if (i < s.length() && s.charAt(i) != ')') {
        throw new TemplateException("unexpected \"" + s.substring(i) + "\" in command");
      }
      return left;
    }

    private Expr command() {
      List<Expr> operands = new ArrayList<>();
      String function = null;
      skipSpace();
      if (i < s.length() && Character.isLetter(s.charAt(i))) {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        function = s.substring(start, i);
        if (function.equals("true") || function.equals("false")) {
          operands.add(new Literal(BooleanNode.valueOf(function.equals("true"))));
          function = null;
        } else if (function.equals("nil")) {
          operands.add(new Literal(NullNode.getInstance()));
          function = null;
        }
      }
      while (true) {
        skipSpace();
        if (i >= s.length() || s.charAt(i) == '|' || s.charAt(i) == ')') {
          break;
        }
        operands.add(operand());
      }
      if (function != null) {
        return new Call(function, operands);
      }
      if (operands.size() != 1) {
        throw new TemplateException(operands.isEmpty() ? "missing value for command" : "can't give argument to non-function");
      }
      return operands.getFirst();
    }

    private Expr operand() {
      char c = s.charAt(i);
      if (c == '.') {
        int start = ++i;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "|)".indexOf(s.charAt(i)) < 0) {
          i++;
        }
        String path = s.substring(start, i);
        return new Field(path.isEmpty() ? List.of() : List.of(path.split("\\.")));
      }
      if (c == '"') {
        var sb = new StringBuilder();
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          char ch = s.charAt(i++);
          if (ch == '\\' && i < s.length()) {
            char e = s.charAt(i++);
            sb.append(switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> e;
            });
          } else {
            sb.append(ch);
          }
        }
        i++;
        return new Literal(TextNode.valueOf(sb.toString()));
      }
      if (c == '`') {
        int end = s.indexOf('`', i + 1);
        String raw = s.substring(i + 1, end);
        i = end + 1;
        return new Literal(TextNode.valueOf(raw));
      }
      if (c == '(') {
        i++;
        Expr inner = pipeline();
        if (i >= s.length() || s.charAt(i) != ')') {
          throw new TemplateException("unclosed left paren");
        }
        i++;
        return inner;
      }
      if (Character.isDigit(c) || c == '-') {
        int start = i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        return new Literal(IntNode.valueOf(Integer.parseInt(s.substring(start, i))));
      }
      if (Character.isLetter(c)) {
        // A function without arguments as an operand, e.g. {{join (split .X ",") ";"}} is written with parens.
        int start = i;
        while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
          i++;
        }
        return new Call(s.substring(start, i), List.of());
      }
      throw new TemplateException("unexpected \"" + c + "\" in operand");
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
