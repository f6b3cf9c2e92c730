#include "cli/app.h"

int main(int argc, char** argv) { return tcptune::cli::run(argc, argv); }
