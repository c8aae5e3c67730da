// AWS timestamp wire forms: ISO 8601 / RFC 3339, RFC 822 (IMF-fixdate) and epoch seconds.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

namespace zk::aws {

// Internally a timestamp is an int64 count of milliseconds since 1970-01-01T00:00:00Z (UTC).
// Supported range: years 0001..9999.

// RFC 3339 §5.6 date-time (the ISO 8601 profile AWS uses): "2024-01-02T03:04:05Z",
// "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05+01:00"; 't'/'z' accepted; fraction truncated to ms.
Result<int64_t> parseIso8601(std::string_view text);
// RFC 7231 §7.1.1.1 IMF-fixdate, "Tue, 02 Jan 2024 03:04:05 GMT" (the rfc822 timestampFormat).
Result<int64_t> parseRfc822(std::string_view text);
// Epoch seconds as text, "1704164645" or "1704164645.5".
Result<int64_t> parseEpochSeconds(std::string_view text);

// "2024-01-02T03:04:05.000Z" (with_millis) or "2024-01-02T03:04:05Z".
std::string formatIso8601(int64_t epoch_ms, bool with_millis = true);
// "Tue, 02 Jan 2024 03:04:05 GMT".
std::string formatRfc822(int64_t epoch_ms);
// "1704164645" or "1704164645.5" (shortest form that keeps the milliseconds).
std::string formatEpochSeconds(int64_t epoch_ms);

// Value-tree form of a timestamp (see model.h): epoch seconds, integer when whole.
nlohmann::json timestampToJson(int64_t epoch_ms);
// Reads the value-tree form back: a number of epoch seconds or an ISO 8601 string.
Result<int64_t> timestampFromJson(const nlohmann::json& value);

}  // namespace zk::aws
