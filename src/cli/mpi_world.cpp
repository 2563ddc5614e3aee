#include "cli/mpi_world.h"

#include <cstdlib>
#include <stdexcept>

#ifdef ROSHNI_HAVE_MPI
#include <mpi.h>
#endif

namespace roshni::cli {

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

#ifdef ROSHNI_HAVE_MPI

bool built_with_mpi() { return true; }

MpiWorld::MpiWorld() {
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiWorld::~MpiWorld() { MPI_Finalize(); }

std::vector<std::string> MpiWorld::gather(const std::string& mine) const {
  // Lengths first, then the bytes at offsets computed from them (MPI_Gatherv).
  const int len = static_cast<int>(mine.size());
  std::vector<int> lengths(rank_ == 0 ? size_ : 0);
  MPI_Gather(&len, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size());
  int total = 0;
  for (size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(static_cast<size_t>(total), '\0');
  MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (size_t r = 0; r < lengths.size(); ++r) out.push_back(all.substr(offsets[r], lengths[r]));
  return out;
}

#else

bool built_with_mpi() { return false; }
MpiWorld::MpiWorld() { throw std::runtime_error("this roshni was built without Open MPI"); }
MpiWorld::~MpiWorld() = default;
std::vector<std::string> MpiWorld::gather(const std::string& mine) const { return {mine}; }

#endif

}  // namespace roshni::cli
