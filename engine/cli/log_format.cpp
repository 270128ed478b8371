// Log lines on stderr: text for people, or one JSON object per line for
// journald/Loki/Elasticsearch pipelines (--log-format json).
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/utf8.h"

namespace alphastream::cli {
namespace {

// %* : the message as the contents of a JSON string. spdlog's own %v would
// let a quote or a newline in a message break the line's JSON, and bytes
// from outside (a file name, a frame) may not be UTF-8: each byte that does
// not start a well-formed sequence becomes U+FFFD.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::string_view text(msg.payload.data(), msg.payload.size());
    for (std::size_t i = 0; i < text.size();) {
      const char c = text[i];
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x80) {
        const std::size_t length = utf8_sequence_length(text.substr(i));
        if (length == 0) {
          dest.append(std::string_view("\\ufffd"));
          ++i;
        } else {
          dest.append(text.data() + i, text.data() + i + length);
          i += length;
        }
        continue;
      }
      ++i;
      if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(c);
      } else if (c == '\n') {
        dest.append(std::string_view("\\n"));
      } else if (byte < 0x20) {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        dest.append(escaped, escaped + sizeof escaped);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// What the command line asked for; a config's `log` section fills the rest.
struct CommandLineLogging {
  std::string level;
  std::string format;
  bool level_given = false;
  bool format_given = false;
} g_command_line;

}  // namespace

void configure_logging(const std::string& level, const std::string& format, bool level_given, bool format_given) {
  g_command_line = {level, format, level_given, format_given};
  configure_logging(level, format);
}

void apply_config_logging(const LogConfig& log) {
  const std::string& level = g_command_line.level_given || log.level.empty() ? g_command_line.level : log.level;
  const std::string& format = g_command_line.format_given || log.format.empty() ? g_command_line.format : log.format;
  if (level == g_command_line.level && format == g_command_line.format) return;
  configure_logging(level, format);
}

void configure_logging(const std::string& level, const std::string& format) {
  // Logs go to stderr so that stdout carries only results.
  spdlog::drop("alphastream");
  auto logger = spdlog::stderr_color_mt("alphastream");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"message":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v");
  }
  logger->set_formatter(std::move(formatter));
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace alphastream::cli
