/* The path figures moved into the library: src/exp/path_plot.h. */
#ifndef LANDSYM_CLI_PATH_PLOT_H
#define LANDSYM_CLI_PATH_PLOT_H
#include "exp/path_plot.h"
#endif
