//===- Json.h - Minimal JSON reader for the artifact manifest -------------===//
//
// The runtime has no dependencies beyond libc/libstdc++, so it reads its
// manifest with this small recursive-descent parser (objects, arrays,
// strings with the common escapes, numbers, booleans, null).
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_JSON_H
#define LLMO_RUNTIME_JSON_H

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llmo::rt {

struct JsonValue {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;

  const JsonValue *get(const std::string &key) const {
    auto it = object.find(key);
    return kind == Object && it != object.end() ? &it->second : nullptr;
  }
};

/// Parses `text`; on failure returns false and sets `error`.
bool parseJson(const std::string &text, JsonValue &out, std::string &error);

} // namespace llmo::rt

#endif
