//===- Json.cpp -----------------------------------------------------------===//

#include "Json.h"

#include <cstdlib>

namespace llmo::rt {
namespace {

struct Parser {
  const std::string &text;
  size_t pos = 0;
  std::string error;
  int depth = 0;

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                 text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  }
  bool fail(const std::string &message) {
    if (error.empty())
      error = message + " at offset " + std::to_string(pos);
    return false;
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (text.compare(pos, n, word) != 0)
      return fail("invalid literal");
    pos += n;
    return true;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || text[pos] != '"')
      return fail("expected a string");
    ++pos;
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        return fail("truncated escape");
      char e = text[pos++];
      switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        if (pos + 4 > text.size())
          return fail("truncated \\u escape");
        unsigned code = std::strtoul(text.substr(pos, 4).c_str(), nullptr, 16);
        pos += 4;
        if (code < 0x80) {
          out += (char)code;
        } else if (code < 0x800) {
          out += (char)(0xC0 | (code >> 6));
          out += (char)(0x80 | (code & 0x3F));
        } else {
          out += (char)(0xE0 | (code >> 12));
          out += (char)(0x80 | ((code >> 6) & 0x3F));
          out += (char)(0x80 | (code & 0x3F));
        }
        break;
      }
      default:
        out += e;
        break;
      }
    }
    if (pos >= text.size())
      return fail("unterminated string");
    ++pos;
    return true;
  }
  bool parseValue(JsonValue &out) {
    if (++depth > 64)
      return fail("nesting too deep");
    skipSpace();
    if (pos >= text.size())
      return fail("unexpected end");
    char c = text[pos];
    bool ok = true;
    if (c == '{') {
      out.kind = JsonValue::Object;
      ++pos;
      skipSpace();
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
      } else {
        for (;;) {
          skipSpace();
          std::string key;
          if (!parseString(key))
            return false;
          skipSpace();
          if (pos >= text.size() || text[pos++] != ':')
            return fail("expected ':'");
          if (!parseValue(out.object[key]))
            return false;
          skipSpace();
          if (pos < text.size() && text[pos] == ',') {
            ++pos;
            continue;
          }
          if (pos < text.size() && text[pos] == '}') {
            ++pos;
            break;
          }
          return fail("expected ',' or '}'");
        }
      }
    } else if (c == '[') {
      out.kind = JsonValue::Array;
      ++pos;
      skipSpace();
      if (pos < text.size() && text[pos] == ']') {
        ++pos;
      } else {
        for (;;) {
          out.array.emplace_back();
          if (!parseValue(out.array.back()))
            return false;
          skipSpace();
          if (pos < text.size() && text[pos] == ',') {
            ++pos;
            continue;
          }
          if (pos < text.size() && text[pos] == ']') {
            ++pos;
            break;
          }
          return fail("expected ',' or ']'");
        }
      }
    } else if (c == '"') {
      out.kind = JsonValue::String;
      ok = parseString(out.string);
    } else if (c == 't' || c == 'f') {
      out.kind = JsonValue::Bool;
      out.boolean = c == 't';
      ok = literal(c == 't' ? "true" : "false");
    } else if (c == 'n') {
      ok = literal("null");
    } else {
      const char *begin = text.c_str() + pos;
      char *end = nullptr;
      out.kind = JsonValue::Number;
      out.number = std::strtod(begin, &end);
      if (end == begin)
        return fail("unexpected character");
      pos += end - begin;
    }
    --depth;
    return ok;
  }
};

} // namespace

bool parseJson(const std::string &text, JsonValue &out, std::string &error) {
  Parser parser{text};
  bool ok = parser.parseValue(out);
  parser.skipSpace();
  if (ok && parser.pos != text.size())
    ok = parser.fail("trailing characters");
  error = parser.error;
  return ok;
}

} // namespace llmo::rt
