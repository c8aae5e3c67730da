// AWS timestamp wire forms: ISO 8601 / RFC 3339, RFC 822 (IMF-fixdate) and epoch seconds.
#include "aws/timestamp.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace zk::aws {
namespace {

constexpr int64_t kMinEpochMs = -62135596800000LL;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxEpochMs = 253402300799999LL;  // 9999-12-31T23:59:59.999Z

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms", days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool isLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n decimal digits at pos.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

Result<int64_t> compose(int year, int month, int day, int hour, int minute, int second, int millis,
                        int offset_minutes, std::string_view text) {
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > daysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 60) {  // :60 leap second is folded into the next second
    return invalidArgument("timestamp out of range: '" + std::string(text) + "'");
  }
  const int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
  const int64_t ms = secs * 1000 + millis;
  if (ms < kMinEpochMs || ms > kMaxEpochMs) {
    return invalidArgument("timestamp out of range: '" + std::string(text) + "'");
  }
  return ms;
}

void split(int64_t epoch_ms, int64_t& y, unsigned& mo, unsigned& d, int& h, int& mi, int& s, int& ms,
           int64_t& days) {
  if (epoch_ms < kMinEpochMs) epoch_ms = kMinEpochMs;
  if (epoch_ms > kMaxEpochMs) epoch_ms = kMaxEpochMs;
  int64_t secs = epoch_ms / 1000;
  int64_t rem = epoch_ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --secs;
  }
  days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  civilFromDays(days, y, mo, d);
  h = static_cast<int>(sod / 3600);
  mi = static_cast<int>(sod % 3600 / 60);
  s = static_cast<int>(sod % 60);
  ms = static_cast<int>(rem);
}

}  // namespace

// RFC 3339 §5.6: date-time = full-date "T" full-time; time-offset = "Z" / time-numoffset.
Result<int64_t> parseIso8601(std::string_view text) {
  size_t p = 0;
  int year, month, day, hour, minute, second = 0;
  auto bad = [&] { return invalidArgument("invalid ISO 8601 timestamp: '" + std::string(text) + "'"); };
  if (!digits(text, p, 4, year) || !expect(text, p, '-') || !digits(text, p, 2, month) ||
      !expect(text, p, '-') || !digits(text, p, 2, day)) {
    return bad();
  }
  if (p >= text.size() || (text[p] != 'T' && text[p] != 't')) return bad();
  ++p;
  if (!digits(text, p, 2, hour) || !expect(text, p, ':') || !digits(text, p, 2, minute) ||
      !expect(text, p, ':') || !digits(text, p, 2, second)) {
    return bad();
  }
  int millis = 0;
  if (expect(text, p, '.')) {
    size_t n = 0;
    while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
      if (n < 3) millis = millis * 10 + (text[p] - '0');
      ++n;
      ++p;
    }
    if (n == 0 || n > 9) return bad();
    for (size_t i = n; i < 3; ++i) millis *= 10;
  }
  int offset = 0;
  if (expect(text, p, 'Z') || expect(text, p, 'z')) {
    // UTC
  } else if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
    const int sign = text[p] == '-' ? -1 : 1;
    ++p;
    int oh, om;
    if (!digits(text, p, 2, oh) || !expect(text, p, ':') || !digits(text, p, 2, om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (p != text.size()) return bad();
  return compose(year, month, day, hour, minute, second, millis, offset, text);
}

// RFC 7231 §7.1.1.1: IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT.
Result<int64_t> parseRfc822(std::string_view text) {
  auto bad = [&] { return invalidArgument("invalid RFC 822 timestamp: '" + std::string(text) + "'"); };
  size_t p = 0;
  if (text.size() < 29) return bad();
  bool weekday_ok = false;
  for (auto w : kWeekdays) weekday_ok |= text.substr(0, 3) == w;
  p = 3;
  if (!weekday_ok || !expect(text, p, ',') || !expect(text, p, ' ')) return bad();
  int day, year, hour, minute, second;
  if (!digits(text, p, 2, day) || !expect(text, p, ' ')) return bad();
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(p, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  p += 3;
  if (month == 0 || !expect(text, p, ' ') || !digits(text, p, 4, year) || !expect(text, p, ' ') ||
      !digits(text, p, 2, hour) || !expect(text, p, ':') || !digits(text, p, 2, minute) ||
      !expect(text, p, ':') || !digits(text, p, 2, second) || text.substr(p) != " GMT") {
    return bad();
  }
  return compose(year, month, day, hour, minute, second, 0, 0, text);
}

Result<int64_t> parseEpochSeconds(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::fixed);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    return invalidArgument("invalid epoch timestamp: '" + std::string(text) + "'");
  }
  const double ms = std::floor(v * 1000.0 + 0.5);
  if (ms < static_cast<double>(kMinEpochMs) || ms > static_cast<double>(kMaxEpochMs)) {
    return invalidArgument("timestamp out of range: '" + std::string(text) + "'");
  }
  return static_cast<int64_t>(ms);
}

std::string formatIso8601(int64_t epoch_ms, bool with_millis) {
  int64_t y, days;
  unsigned mo, d;
  int h, mi, s, ms;
  split(epoch_ms, y, mo, d, h, mi, s, ms, days);
  char buf[40];
  if (with_millis) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), mo, d,
                  h, mi, s, ms);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), mo, d, h,
                  mi, s);
  }
  return buf;
}

std::string formatRfc822(int64_t epoch_ms) {
  int64_t y, days;
  unsigned mo, d;
  int h, mi, s, ms;
  split(epoch_ms, y, mo, d, h, mi, s, ms, days);
  const int64_t wd = ((days % 7) + 7) % 7;  // 1970-01-01 was a Thursday
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT", kWeekdays[wd].data(), d,
                kMonths[mo - 1].data(), static_cast<long long>(y), h, mi, s);
  return buf;
}

std::string formatEpochSeconds(int64_t epoch_ms) {
  const bool neg = epoch_ms < 0;
  const uint64_t a = neg ? static_cast<uint64_t>(-(epoch_ms + 1)) + 1 : static_cast<uint64_t>(epoch_ms);
  std::string out = (neg ? "-" : "") + std::to_string(a / 1000);
  unsigned frac = static_cast<unsigned>(a % 1000);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03u", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

nlohmann::json timestampToJson(int64_t epoch_ms) {
  if (epoch_ms % 1000 == 0) return nlohmann::json(epoch_ms / 1000);
  return nlohmann::json(static_cast<double>(epoch_ms) / 1000.0);
}

Result<int64_t> timestampFromJson(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    const int64_t s = value.get<int64_t>();
    if (s < kMinEpochMs / 1000 || s > kMaxEpochMs / 1000) return invalidArgument("timestamp out of range");
    return s * 1000;
  }
  if (value.is_number()) {
    const double v = value.get<double>();
    if (!std::isfinite(v)) return invalidArgument("timestamp is not finite");
    const double ms = std::floor(v * 1000.0 + 0.5);
    if (ms < static_cast<double>(kMinEpochMs) || ms > static_cast<double>(kMaxEpochMs)) {
      return invalidArgument("timestamp out of range");
    }
    return static_cast<int64_t>(ms);
  }
  if (value.is_string()) return parseIso8601(value.get_ref<const std::string&>());
  return invalidArgument("timestamp must be a number of epoch seconds or an ISO 8601 string");
}

}  // namespace zk::aws
