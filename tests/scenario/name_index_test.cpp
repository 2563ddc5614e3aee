#include "scenario/name_index.h"

#include <gtest/gtest.h>

#include <string>

namespace roshni::scenario {
namespace {

// Every name hashes alike: every probe collides on the tag, so only the name comparison
// tells names apart, and each insert walks past all earlier names.
uint64_t same_hash(std::string_view) { return 0x1234567890abcdefULL; }
// Hashes that differ only in their low 32 bits: one tag (0) and one home slot for all,
// as above, though the hashes differ.
uint64_t low_bits_hash(std::string_view s) { return std::hash<std::string_view>{}(s)&0xffffffff; }
// At most 256 tags, all small: every name's home is slot 0 until the table has 2^25 slots,
// so probes walk past slots whose tags differ.
uint64_t few_tags_hash(std::string_view s) { return (std::hash<std::string_view>{}(s)&0xff) << 32; }

void expect_dense_indices(NameIndex::Hash hash, size_t n) {
  NameIndex index = hash != nullptr ? NameIndex(hash) : NameIndex();
  for (size_t i = 0; i < n; ++i) {
    const auto [at, added] = index.insert("f" + std::to_string(i));
    ASSERT_TRUE(added) << i;
    ASSERT_EQ(at, i);  // the i-th name added is number i
  }
  ASSERT_EQ(index.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const std::string name = "f" + std::to_string(i);
    ASSERT_EQ(index.find(name), i) << name;
    ASSERT_EQ(index.name(static_cast<uint32_t>(i)), name);
    const auto [at, added] = index.insert(name);  // a repeat is found, not added
    ASSERT_FALSE(added) << name;
    ASSERT_EQ(at, i);
  }
  EXPECT_EQ(index.size(), n);
  EXPECT_FALSE(index.find("f" + std::to_string(n)));
  EXPECT_FALSE(index.find(""));
  EXPECT_FALSE(index.find("f0 "));
}

TEST(NameIndex, EmptyFindsNothing) {
  const NameIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.find("f0"));
}

// 10,000 names cross eight doublings of the table (64 slots to 32,768), each re-placing
// every slot from its tag.
TEST(NameIndex, NamesGetIndicesInOrderAcrossGrowth) { expect_dense_indices(nullptr, 10000); }

TEST(NameIndex, EqualHashesAreToldApartByName) { expect_dense_indices(&same_hash, 300); }

TEST(NameIndex, EqualTagsAreToldApartByName) { expect_dense_indices(&low_bits_hash, 300); }

TEST(NameIndex, ProbesWalkPastOtherTags) { expect_dense_indices(&few_tags_hash, 3000); }

TEST(NameIndex, TakeMovesTheNameOutAfterTheTableIsFreed) {
  NameIndex index;
  index.insert("a");
  index.insert("a much longer name than a short string holds inline");
  index.clear_table();
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.take(1), "a much longer name than a short string holds inline");
  EXPECT_EQ(index.take(0), "a");
}

}  // namespace
}  // namespace roshni::scenario
