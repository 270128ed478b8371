// A strict little XML reader for the report tests: the reports are written as
// well-formed XML (XHTML-style HTML5), so parsing them proves every tag is
// closed and every attribute quoted, and gives a tree to count charts in.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace alphastream::testing {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // entity-decoded
  std::vector<std::unique_ptr<XmlElement>> children;
  std::string text;  // decoded character data directly inside, concatenated

  // Returns the attribute's value, or an empty string if absent.
  std::string attr(std::string_view key) const;
  bool has_attr(std::string_view key) const;
  // All descendants named `tag` (document order), optionally whose `key` is `value`.
  std::vector<const XmlElement*> find_all(std::string_view tag, std::string_view key = {},
                                          std::string_view value = {}) const;
  // All character data of this element and its descendants.
  std::string all_text() const;
};

// Parses a document: an optional prolog (<?xml?>, <!DOCTYPE>, comments) and
// one root element; CDATA sections are text. Fails on unclosed or mismatched tags, unquoted
// attributes, unknown entities, a raw '<' or '&' in text, or trailing content.
Result<std::unique_ptr<XmlElement>> parse_xml(std::string_view document);

}  // namespace alphastream::testing
