using System.Text;
using CsCheck;
using Tessera.Bags.Internal;

namespace Tessera.Bags.Tests.Internal;

public sealed class AsciiStringsTests
{
    [Fact]
    public void Get_GivesTheStringOfTheBytes_WhateverIsCached() =>
        Gen.String[Gen.Char[' ', '~'], 0, 40].Array[1, 300].Sample(values =>
        {
            foreach (string v in values.Concat(values))
            {
                string? s = AsciiStrings.Get(Encoding.ASCII.GetBytes(v));
                Assert.Equal(v.Length <= AsciiStrings.MaxLength ? v : null, s);
            }
        });

    [Fact]
    public void Get_ReusesRepeatedValues_AndLeavesNonAsciiAlone()
    {
        string first = AsciiStrings.Get("berlin"u8)!;
        Assert.Same(first, AsciiStrings.Get("berlin"u8));
        Assert.Null(AsciiStrings.Get("zürich"u8));
        Assert.Null(AsciiStrings.Get([0x80, 0x41]));
        Assert.Same(string.Empty, AsciiStrings.Get([]));
    }
}
