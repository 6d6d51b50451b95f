// ranking-signals: command-line entry point. Subcommands live in their own files.
#include <cstdio>

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::puts("ranking-signals");
  return 0;
}
