#include "screen/screen_report.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/number_text.h"
#include "report/json_number.h"

namespace alphastream {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Quotes a CSV field when it holds a comma, quote or line break.
std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

constexpr const char* kCsvHeader =
    "rank,y,x,n_obs,first_ts_ms,last_ts_ms,beta,alpha,adf_stat,p_value,used_lag,adf_nobs,crit_1pct,crit_5pct,"
    "crit_10pct,collinear,half_life_obs,spread_std,price_correlation,return_correlation,reverse_p_value,error";

std::string csv_row(std::size_t rank, const UniverseGrid& grid, const PairScreenResult& p) {
  // Built by append: g++ 12 -O3 warns falsely (-Wrestrict) on "," + string.
  const CointResult& c = p.coint;
  std::string row = std::to_string(rank);
  auto field = [&row](const std::string& text) { row.append(1, ',').append(text); };
  auto number = [&row](double value) {
    char text[kNumberTextRoom];
    row.append(1, ',').append(text, format_number(text, value));  // NaN: an empty field
  };
  field(csv_text(grid.name(p.y)));
  field(csv_text(grid.name(p.x)));
  field(std::to_string(p.n_obs));
  field(std::to_string(p.first_ts_ms));
  field(std::to_string(p.last_ts_ms));
  for (double v : {c.hedge.beta, c.hedge.alpha, c.stat, c.pvalue}) number(v);
  field(std::to_string(c.used_lag));
  field(std::to_string(c.adf_nobs));
  for (double v : {c.crit_1pct, c.crit_5pct, c.crit_10pct}) number(v);
  field(c.collinear ? "true" : "false");
  for (double v : {p.half_life_obs, p.spread_std, p.price_correlation, p.return_correlation, p.reverse_pvalue}) {
    number(v);
  }
  field(csv_text(p.error));
  return row;
}

nlohmann::ordered_json json_pair(std::size_t rank, const UniverseGrid& grid, const PairScreenResult& p) {
  const CointResult& c = p.coint;
  nlohmann::ordered_json j;
  j["rank"] = rank;
  j["y"] = grid.name(p.y);
  j["x"] = grid.name(p.x);
  j["n_obs"] = p.n_obs;
  j["first_ts_ms"] = p.first_ts_ms;
  j["last_ts_ms"] = p.last_ts_ms;
  j["beta"] = number_or_null(c.hedge.beta);
  j["alpha"] = number_or_null(c.hedge.alpha);
  j["adf_stat"] = number_or_null(c.stat);
  j["p_value"] = number_or_null(c.pvalue);
  j["used_lag"] = c.used_lag;
  j["adf_nobs"] = c.adf_nobs;
  j["crit_1pct"] = number_or_null(c.crit_1pct);
  j["crit_5pct"] = number_or_null(c.crit_5pct);
  j["crit_10pct"] = number_or_null(c.crit_10pct);
  j["collinear"] = c.collinear;
  j["half_life_obs"] = number_or_null(p.half_life_obs);
  j["spread_std"] = number_or_null(p.spread_std);
  j["price_correlation"] = number_or_null(p.price_correlation);
  j["return_correlation"] = number_or_null(p.return_correlation);
  j["reverse_p_value"] = number_or_null(p.reverse_pvalue);
  j["error"] = p.error;
  return j;
}

}  // namespace

Status write_screen_report(const std::string& path, const UniverseGrid& grid,
                           const std::vector<PairScreenResult>& pairs, std::int64_t interval_ms) {
  const bool csv = ends_with(path, ".csv");
  if (!csv && !ends_with(path, ".json")) {
    return Status::error(path + ": unknown report format; the name must end in .csv or .json");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::error(path + ": cannot open for writing");
  if (csv) {
    out << kCsvHeader << '\n';
    for (std::size_t i = 0; i < pairs.size(); ++i) out << csv_row(i + 1, grid, pairs[i]) << '\n';
  } else {
    nlohmann::ordered_json doc;
    doc["interval_ms"] = interval_ms;
    doc["symbols"] = grid.symbol_count();
    doc["rows"] = grid.row_count();
    doc["test"] = "statsmodels 0.13.5 coint(y, x, trend='c', method='aeg', autolag='aic'), both directions";
    doc["pairs"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < pairs.size(); ++i) doc["pairs"].push_back(json_pair(i + 1, grid, pairs[i]));
    out << doc.dump(1) << '\n';
  }
  out.flush();
  if (!out) return Status::error(path + ": write failed");
  return Status::ok();
}

std::string format_top_pairs(const UniverseGrid& grid, const std::vector<PairScreenResult>& pairs,
                             std::size_t top_k) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%4s  %-14s %-14s %9s %10s %9s %11s %9s %10s %9s\n", "rank", "y", "x", "n_obs",
                "adf_stat", "p_value", "beta", "half_life", "corr_ret", "p_reverse");
  text += line;
  for (std::size_t i = 0; i < pairs.size() && i < top_k; ++i) {
    const PairScreenResult& p = pairs[i];
    if (!p.error.empty()) {
      std::snprintf(line, sizeof line, "%4zu  %-14s %-14s %9lld  error: %s\n", i + 1, grid.name(p.y).c_str(),
                    grid.name(p.x).c_str(), static_cast<long long>(p.n_obs), p.error.c_str());
    } else {
      std::snprintf(line, sizeof line, "%4zu  %-14s %-14s %9lld %10.3f %9.2e %11.5g %9.1f %10.3f %9.2e\n", i + 1,
                    grid.name(p.y).c_str(), grid.name(p.x).c_str(), static_cast<long long>(p.n_obs), p.coint.stat,
                    p.coint.pvalue, p.coint.hedge.beta, p.half_life_obs, p.return_correlation, p.reverse_pvalue);
    }
    text += line;
  }
  return text;
}

}  // namespace alphastream
