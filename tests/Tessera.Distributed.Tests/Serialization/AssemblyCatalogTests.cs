using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using Tessera.Distributed.Serialization;
using Tessera.Distributed.TestUserCode;

namespace Tessera.Distributed.Tests.Serialization;

public sealed class AssemblyCatalogTests
{
    [Fact]
    public void Resolve_UserCode_SkipsFrameworkAndTessera()
    {
        var catalog = new AssemblyCatalog();
        IReadOnlyList<ShippedAssembly> shipped = catalog.Resolve([typeof(Point).Assembly, typeof(object).Assembly, typeof(Tessera.Graphs.Key).Assembly]);

        ShippedAssembly user = Assert.Single(shipped);
        Assert.Equal("Tessera.Distributed.TestUserCode", user.Name);
        Assert.Equal(typeof(Point).Assembly.ManifestModule.ModuleVersionId, user.Mvid);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(typeof(Point).Assembly.Location)), user.Sha256.ToArray());
        Assert.True(user.VerifyContent());
        Assert.Equal(64, user.ContentId.Length);
    }

    [Fact]
    public void TakeUnsent_ReturnsEachAssemblyOncePerCatalog()
    {
        var catalog = new AssemblyCatalog();
        Assert.Single(catalog.TakeUnsent([typeof(Point).Assembly]));
        Assert.Empty(catalog.TakeUnsent([typeof(Point).Assembly]));
        Assert.Single(new AssemblyCatalog().TakeUnsent([typeof(Point).Assembly]));
    }

    [Fact]
    public void Describe_DynamicAssembly_ExplainsItCannotBeUploaded()
    {
        AssemblyBuilder dynamic = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Scratch.Dynamic"), AssemblyBuilderAccess.RunAndCollect);

        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => new AssemblyCatalog().Describe(dynamic));

        Assert.Equal("assembly 'Scratch.Dynamic' has no file location (dynamic or in-memory) and cannot be uploaded; build the code into an assembly on disk.", e.Message);
    }

    [Fact]
    public void Origins_ClassifyFrameworkTesseraAndUserCode()
    {
        Assert.Equal(AssemblyOrigin.Framework, TypeAllowList.GetOrigin(typeof(object).Assembly));
        Assert.Equal(AssemblyOrigin.Framework, TypeAllowList.GetOrigin(typeof(System.Collections.Immutable.ImmutableArray).Assembly));
        Assert.Equal(AssemblyOrigin.Tessera, TypeAllowList.GetOrigin(typeof(Tessera.Graphs.Key).Assembly));
        Assert.Equal(AssemblyOrigin.Tessera, TypeAllowList.GetOrigin(typeof(TesseraSerializer).Assembly));
        Assert.Equal(AssemblyOrigin.User, TypeAllowList.GetOrigin(typeof(Point).Assembly));
        Assert.Equal(AssemblyOrigin.User, TypeAllowList.GetOrigin(typeof(AssemblyCatalogTests).Assembly));
        Assert.Equal(AssemblyOrigin.User, TypeAllowList.GetOrigin(typeof(Nerdbank.MessagePack.MessagePackWriter).Assembly));
    }

    [Fact]
    public void CodeSession_RefusesCorruptUploadsAndOtherBuilds()
    {
        ShippedAssembly real = new AssemblyCatalog().Describe(typeof(Point).Assembly);
        byte[] corrupt = real.Bytes.ToArray();
        corrupt[^1] ^= 1;
        using var session = new CodeSession("uploads");

        Assert.Throws<InvalidDataException>(() => session.AddAssemblies([new ShippedAssembly(real.Name, real.Mvid, real.Sha256, corrupt)]));

        session.AddAssemblies([real]);
        session.AddAssemblies([real]);
        Assert.Equal(["Tessera.Distributed.TestUserCode"], session.UploadedAssemblies);
        var otherBuild = new ShippedAssembly(real.Name, Guid.NewGuid(), real.Sha256, real.Bytes);
        FunctionSerializationException e = Assert.Throws<FunctionSerializationException>(() => session.AddAssemblies([otherBuild]));
        Assert.StartsWith("worker has a different build of 'Tessera.Distributed.TestUserCode'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemblies_TravelAsOutOfBandBuffers()
    {
        var serializer = new TesseraSerializer();
        ShippedAssembly real = new AssemblyCatalog().Describe(typeof(Point).Assembly);
        EncodeContext encode = serializer.CreateEncodeContext();
        var header = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new Nerdbank.MessagePack.MessagePackWriter(header);
        TesseraSerializer.WriteAssemblies(ref writer, [real], encode);
        writer.Flush();
        var message = new SerializedMessage(header.WrittenMemory, [.. encode.Buffers]);

        Assert.Single(message.Buffers);
        Assert.True(message.Header.Length < 200);
        var reader = new Nerdbank.MessagePack.MessagePackReader(message.Header);
        ShippedAssembly back = Assert.Single(TesseraSerializer.ReadAssemblies(ref reader, serializer.CreateDecodeContext(message)));
        Assert.Equal(real.Name, back.Name);
        Assert.Equal(real.Mvid, back.Mvid);
        Assert.True(back.VerifyContent());
    }
}
