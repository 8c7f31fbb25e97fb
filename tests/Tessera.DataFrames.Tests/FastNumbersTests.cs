using System.Globalization;
using System.Text;
using CsCheck;
using Tessera.DataFrames.IO;

namespace Tessera.DataFrames.Tests;

public sealed class FastNumbersTests
{
    [Fact]
    public void TryParseDouble_EqualsTheBclParse_ForAnyDecimalText()
    {
        Gen.Select(Gen.Long[-999_999_999_999_999, 999_999_999_999_999], Gen.Int[0, 20], Gen.Bool)
            .Sample((mantissa, scale, plus) =>
            {
                string digits = Math.Abs(mantissa).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
                string text = (mantissa < 0 ? "-" : plus ? "+" : string.Empty) + (scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..]);
                Assert.True(FastNumbers.TryParseDouble(Encoding.UTF8.GetBytes(text), out double v));
                Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), v);
            });
        Gen.Double.Sample(d =>
        {
            string text = d.ToString("R", CultureInfo.InvariantCulture);
            Assert.Equal(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double expected), FastNumbers.TryParseDouble(Encoding.UTF8.GetBytes(text), out double v));
            Assert.Equal(expected, v);
        });
    }

    [Theory]
    [InlineData("1e5")]
    [InlineData("-0.0")]
    [InlineData("12345678901234567890.5")]
    [InlineData("0.1234567890123456789012345")]
    [InlineData("NaN")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("abc")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("1.2.3")]
    public void TryParseDouble_AgreesWithTheBcl_OnEdgeCases(string text)
    {
        bool ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double expected);
        Assert.Equal(ok, FastNumbers.TryParseDouble(Encoding.UTF8.GetBytes(text), out double v));
        Assert.Equal(expected, v);
    }

    [Fact]
    public void TryParseInt64_EqualsTheBclParse()
    {
        Gen.Long.Sample(l =>
        {
            Assert.True(FastNumbers.TryParseInt64(Encoding.UTF8.GetBytes(l.ToString(CultureInfo.InvariantCulture)), out long v));
            Assert.Equal(l, v);
        });
        foreach (string bad in new[] { "", "-", "1.5", "x1", "99999999999999999999" })
        {
            Assert.False(FastNumbers.TryParseInt64(Encoding.UTF8.GetBytes(bad), out _));
        }
    }
}
