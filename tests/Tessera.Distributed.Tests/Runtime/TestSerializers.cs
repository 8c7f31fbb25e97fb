using Tessera.Distributed.Runtime;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The serializer the runtime tests use: the real one, trusting this test application's assemblies.</summary>
internal static class TestSerializers
{
    public static IWireSerializer Create() => WireSerializer.ForSameApplication("tests");
}
