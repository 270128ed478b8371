#include "xml_tree.h"

#include <cctype>
#include <charconv>

namespace alphastream::testing {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc) {}

  Result<std::unique_ptr<XmlElement>> document() {
    if (Status s = skip_misc(); !s) return s;
    if (!starts_with("<")) return error("expected the root element");
    Result<std::unique_ptr<XmlElement>> root = element();
    if (!root) return root;
    if (Status s = skip_misc(); !s) return s;
    if (pos_ != doc_.size()) return error("content after the root element");
    return root;
  }

 private:
  Status error(std::string what) const {
    return Status::error("xml offset " + std::to_string(pos_) + ": " + what);
  }
  bool starts_with(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }
  void skip_space() {
    while (pos_ < doc_.size() && std::isspace(static_cast<unsigned char>(doc_[pos_]))) ++pos_;
  }
  Status skip_past(std::string_view end) {
    const std::size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) return error("unterminated markup, missing " + std::string(end));
    pos_ = at + end.size();
    return Status::ok();
  }
  // Whitespace, comments, processing instructions and a doctype.
  Status skip_misc() {
    for (;;) {
      skip_space();
      Status s;
      if (starts_with("<!--")) {
        s = skip_past("-->");
      } else if (starts_with("<?")) {
        s = skip_past("?>");
      } else if (starts_with("<!DOCTYPE") || starts_with("<!doctype")) {
        s = skip_past(">");
      } else {
        return Status::ok();
      }
      if (!s) return s;
    }
  }

  std::string name() {
    const std::size_t begin = pos_;
    while (pos_ < doc_.size()) {
      const char c = doc_[pos_];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.')) break;
      ++pos_;
    }
    return std::string(doc_.substr(begin, pos_ - begin));
  }

  // Decodes text up to `stop` (exclusive), rejecting raw '<' and bad entities.
  Status decode(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '<') return error("raw '<' in text or attribute");
      if (raw[i] != '&') {
        out.push_back(raw[i]);
        continue;
      }
      const std::size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) return error("'&' without an entity");
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "amp") out += '&';
      else if (entity == "lt") out += '<';
      else if (entity == "gt") out += '>';
      else if (entity == "quot") out += '"';
      else if (entity == "apos") out += '\'';
      else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x';
        unsigned code = 0;
        const char* first = entity.data() + (hex ? 2 : 1);
        const auto r = std::from_chars(first, entity.data() + entity.size(), code, hex ? 16 : 10);
        if (r.ec != std::errc() || r.ptr != entity.data() + entity.size()) {
          return error("bad character reference &" + std::string(entity) + ";");
        }
        out += code < 128 ? std::string(1, static_cast<char>(code)) : std::string("?");
      } else {
        return error("unknown entity &" + std::string(entity) + ";");
      }
      i = semi;
    }
    return Status::ok();
  }

  Result<std::unique_ptr<XmlElement>> element() {
    ++pos_;  // '<'
    auto node = std::make_unique<XmlElement>();
    node->name = name();
    if (node->name.empty()) return error("expected an element name");
    for (;;) {
      const std::size_t before = pos_;
      skip_space();
      if (starts_with("/>")) {
        pos_ += 2;
        return node;
      }
      if (starts_with(">")) {
        ++pos_;
        break;
      }
      if (pos_ == before) return error("expected whitespace before an attribute in <" + node->name + ">");
      std::string key = name();
      if (key.empty()) return error("bad attribute in <" + node->name + ">");
      skip_space();
      if (!starts_with("=")) return error("attribute " + key + " has no value");
      ++pos_;
      skip_space();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
        return error("attribute " + key + " is not quoted");
      }
      const char quote = doc_[pos_++];
      const std::size_t end = doc_.find(quote, pos_);
      if (end == std::string_view::npos) return error("unterminated attribute " + key);
      for (const auto& [existing, ignored] : node->attributes) {
        if (existing == key) return error("duplicate attribute " + key);
      }
      std::string value;
      if (Status s = decode(doc_.substr(pos_, end - pos_), value); !s) return s;
      pos_ = end + 1;
      node->attributes.emplace_back(std::move(key), std::move(value));
    }
    for (;;) {
      const std::size_t lt = doc_.find('<', pos_);
      if (lt == std::string_view::npos) return error("<" + node->name + "> is never closed");
      if (Status s = decode(doc_.substr(pos_, lt - pos_), node->text); !s) return s;
      pos_ = lt;
      if (starts_with("<!--")) {
        if (Status s = skip_past("-->"); !s) return s;
      } else if (starts_with("<![CDATA[")) {
        // Character data taken as it is (an inline script).
        const std::size_t end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) return error("unterminated CDATA section");
        node->text += doc_.substr(pos_ + 9, end - pos_ - 9);
        pos_ = end + 3;
      } else if (starts_with("</")) {
        pos_ += 2;
        const std::string closing = name();
        skip_space();
        if (closing != node->name || !starts_with(">")) {
          return error("</" + closing + "> closes <" + node->name + ">");
        }
        ++pos_;
        return node;
      } else {
        Result<std::unique_ptr<XmlElement>> child = element();
        if (!child) return child;
        node->children.push_back(std::move(child.value()));
      }
    }
  }

  std::string_view doc_;
  std::size_t pos_ = 0;
};

void collect(const XmlElement& e, std::string_view tag, std::string_view key,
             std::string_view value, std::vector<const XmlElement*>& out) {
  for (const auto& child : e.children) {
    if (child->name == tag && (key.empty() || (child->has_attr(key) && child->attr(key) == value))) {
      out.push_back(child.get());
    }
    collect(*child, tag, key, value, out);
  }
}

}  // namespace

std::string XmlElement::attr(std::string_view key) const {
  for (const auto& [k, v] : attributes) {
    if (k == key) return v;
  }
  return {};
}

bool XmlElement::has_attr(std::string_view key) const {
  for (const auto& [k, v] : attributes) {
    if (k == key) return true;
  }
  return false;
}

std::vector<const XmlElement*> XmlElement::find_all(std::string_view tag, std::string_view key,
                                                    std::string_view value) const {
  std::vector<const XmlElement*> out;
  collect(*this, tag, key, value, out);
  return out;
}

std::string XmlElement::all_text() const {
  std::string out = text;
  for (const auto& child : children) out += child->all_text();
  return out;
}

Result<std::unique_ptr<XmlElement>> parse_xml(std::string_view document) {
  return Parser(document).document();
}

}  // namespace alphastream::testing
