#include "controller/controller_main.h"

int main(int argc, char** argv) { return hgo::controller::ControllerMain(argc, argv); }
