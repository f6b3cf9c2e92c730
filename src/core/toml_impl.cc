// The one translation unit that compiles toml++'s implementation (TOML_HEADER_ONLY=0), so the
// heavy template code is built once rather than in every file that parses TOML.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
