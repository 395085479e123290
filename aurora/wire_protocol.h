// Aurora's two wire encodings of its Thrift API (TBinaryProtocol and TJSONProtocol), shared by
// the codec, the HTTP transport and aurora-local.
#pragma once

namespace hgo::aurora {

enum class WireProtocol { kBinary, kJson };
// The Content-Type the scheduler expects and answers with for p.
const char* ContentType(WireProtocol p);

}  // namespace hgo::aurora
