// The flags localize and segment share, read into experiments::WsolFlags.
//
//   po::variables_map vm;  // parsed with --data, --methods, --threshold, --count, --batch-size,
//                          // --figure-rows and --out declared
//   experiments::LocalizeResult r = experiments::run_localize(t, wsol_flags(vm), {...});
#pragma once

#include <boost/program_options.hpp>

#include "experiments/wsol/run_wsol.h"

namespace camlab::cli {

experiments::WsolFlags wsol_flags(const boost::program_options::variables_map& vm);

}  // namespace camlab::cli
