// Access keys: key file, sealed secrets, admin bootstrap, cached SigV4 lookup.
#include "app/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/zone_admin.h"
#include "crypto/crypto.h"
#include "services/iam/accounts.h"

namespace zk::app {
namespace {

constexpr const char* kAdminKeyMeta = "admin_access_key_id";

Status writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return internalError(std::string("write: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Status();
}

}  // namespace

Result<crypto::SecretBox> loadOrCreateSecretBox(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kSecretKeyFile;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    auto key = crypto::randomBytes(crypto::SecretBox::kKeySize);
    if (!key.ok()) return key.status();
    const std::string tmp = path + ".tmp";
    int wfd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (wfd < 0) return internalError("cannot create " + tmp + ": " + std::strerror(errno));
    ::fchmod(wfd, 0600);
    Status st = writeAll(wfd, std::string(key->begin(), key->end()));
    if (st.isOk() && ::fsync(wfd) != 0) st = internalError("fsync " + tmp + ": " + std::strerror(errno));
    ::close(wfd);
    if (!st.isOk()) return st;
    // link() fails if another process created the key meanwhile; then that key wins.
    if (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)
      return internalError("cannot create " + path + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    int dfd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    crypto::secureWipe(key->data(), key->size());
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return internalError("cannot open " + path + ": " + std::strerror(errno));
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
    ::close(fd);
    return failedPrecondition(path + " must be readable by its owner only (chmod 600)");
  }
  std::vector<uint8_t> key(crypto::SecretBox::kKeySize + 1);
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(crypto::SecretBox::kKeySize)) {
    crypto::secureWipe(key.data(), key.size());
    return failedPrecondition(path + " must hold exactly 32 bytes");
  }
  key.resize(crypto::SecretBox::kKeySize);
  auto box = crypto::SecretBox::create(key);
  crypto::secureWipe(key.data(), key.size());
  return box;
}

Result<NewAccessKey> createAccessKey(storage::SqliteStore& store, const crypto::SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     std::chrono::system_clock::time_point now) {
  storage::IamSqliteStore iam_store(store);
  const crypto::RandomSource random = crypto::systemRandomSource();
  // `credentials create` has always made administrator keys: a user it creates gets AdministratorAccess;
  // an existing user keeps exactly the policies it has.
  const bool created_here = !iam_store.getUser(account_id, user_name).ok();
  auto user = iam::ensureUser(iam_store, random, account_id, user_name,
                              created_here || user_name == iam::kAdminUserName, now);
  if (!user.ok()) return user.status();
  return iam::createAccessKey(iam_store, box, random, account_id, user->name, user->arn, now);
}

std::string credentialsFileText(const NewAccessKey& key, const std::string& profile) {
  return "[" + profile + "]\naws_access_key_id = " + key.access_key_id +
         "\naws_secret_access_key = " + key.secret_access_key + "\n";
}

Status writePrivateFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return internalError("cannot create " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  Status st = writeAll(fd, text);
  if (st.isOk() && ::fsync(fd) != 0) st = internalError("fsync " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  if (!st.isOk()) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return internalError("rename to " + path + ": " + std::strerror(errno));
  return Status();
}

Result<std::optional<NewAccessKey>> bootstrapAdminKey(storage::SqliteStore& store,
                                                      const crypto::SecretBox& box,
                                                      const std::string& data_dir) {
  auto recorded = store.getMeta(kAdminKeyMeta);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) return std::optional<NewAccessKey>();
  auto account = ensureDefaultAccount(store);
  if (!account.ok()) return account.status();
  storage::IamSqliteStore iam_store(store);
  auto key = iam::createAdminKey(iam_store, box, crypto::systemRandomSource(), *account,
                                 std::chrono::system_clock::now());
  if (!key.ok()) return key.status();
  ZK_RETURN_IF_ERROR(writePrivateFile(data_dir + "/" + kCredentialsFile, credentialsFileText(*key)));
  ZK_RETURN_IF_ERROR(store.setMeta(kAdminKeyMeta, key->access_key_id));
  return std::optional<NewAccessKey>(std::move(key).value());
}

std::string credentialsUsage(const std::string& data_dir, const std::string& api_endpoint,
                             const std::string& region) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(data_dir, ec).lexically_normal().string();
  if (ec) abs = data_dir;
  return "  export AWS_SHARED_CREDENTIALS_FILE=" + abs + "/" + kCredentialsFile +
         " AWS_DEFAULT_REGION=" + region + "\n  aws --endpoint-url " + api_endpoint +
         " route53 list-hosted-zones\n";
}

}  // namespace zk::app
