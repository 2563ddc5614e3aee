/// Open MPI for `roshni sweep` launched by mpirun: which rank this process is, and
/// gathering each rank's text on rank 0. Compiled against MPI only when the build has
/// it (ROSHNI_MPI); without it, or when not launched by mpirun, there is one rank and
/// MPI is never initialised (a plain `roshni` run needs no MPI runtime).
/// Private to the CLI.
#pragma once

#include <string>
#include <vector>

namespace roshni::cli {

/// True when the environment says an MPI launcher started this process (Open MPI's
/// OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK or the PMI_RANK of other launchers).
bool launched_by_mpi();
/// True when this program was built with MPI.
bool built_with_mpi();

class MpiWorld {
 public:
  /// Initialises MPI (requires built_with_mpi()).
  MpiWorld();
  ~MpiWorld();  // finalises MPI
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Collective: every rank passes its text; rank 0 gets all of them in rank order,
  /// the others an empty vector.
  std::vector<std::string> gather(const std::string& mine) const;

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace roshni::cli
