#include "aurora_local/main.h"

int main(int argc, char** argv) { return hgo::aurora::local::AuroraLocalMain(argc, argv); }
