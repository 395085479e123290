#include <iostream>
#include <string>
#include <vector>

#include "cli/heronctl.h"

int main(int argc, char** argv) {
  return hgo::cli::HeronctlMain(std::vector<std::string>(argv, argv + argc), std::cin, std::cout,
                                std::cerr);
}
