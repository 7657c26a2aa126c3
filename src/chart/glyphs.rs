//! The PNG backend of the charts: plotters' `BitMapBackend` with text drawn glyph by glyph
//! at the glyph's own position.
//!
//! plotters 0.3.7 draws text with ab_glyph (`style::font::ab_glyph`) but places each glyph's
//! outline at the pen position truncated to a whole pixel *without its left side bearing*
//! (`px_bounds().min.x` is dropped), so a glyph with a wide bearing (`l`, `i`, `r`) is drawn
//! a pixel or two left of its place and the next glyph seems to stand apart: "Friesland 2"
//! read "Friesl and 2" in the PNG, while the SVG (a `<text>` element the browser lays out)
//! was right. [`Png`] passes everything to the bitmap backend except text, which it lays out
//! the same way (the same advances, kerning, anchor and layout box, so labels stay where they
//! were) but draws each outline at its exact sub-pixel position, bearing included.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, text_anchor,
};

/// The bundled font, the one plotters has as "sans-serif" (`super::register_font`).
fn dejavu() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(include_bytes!("../../assets/fonts/DejaVuSans.ttf"))
            .expect("the bundled DejaVuSans.ttf is a valid font")
    })
}

/// A PNG drawing: `BitMapBackend` with text drawn right (module doc).
pub(super) struct Png<'a>(pub BitMapBackend<'a>);

type Result<T> =
    std::result::Result<T, DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

impl DrawingBackend for Png<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<()> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<()> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<()> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<()> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<()> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<()> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<()> {
        self.0.blit_bitmap(pos, size, src)
    }

    /// As plotters' default `draw_text` (anchor from the style's layout box, then the
    /// rotation), with the glyphs placed at their sub-pixel pen position plus bearing.
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<()> {
        if style.family().as_str() != "sans-serif" {
            return self.0.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            text_anchor::HPos::Left => 0,
            text_anchor::HPos::Right => -width,
            text_anchor::HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            text_anchor::VPos::Top => 0,
            text_anchor::VPos::Center => -height / 2,
            text_anchor::VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        let size = style.size() as f32;
        let font = dejavu().as_scaled(size);
        let mut pen = 0f32;
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                pen += font.kern(p, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(font.scale(), ab_glyph::point(pen, 0.0));
            pen += font.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            // The baseline where plotters puts it (half the size below the top), so that
            // text keeps its height; only the horizontal placement changes.
            let x0 = bounds.min.x as i32;
            let y0 = (size / 2.0 + bounds.min.y) as i32;
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| pixels.push((x as i32, y as i32, coverage)));
            for (x, y, coverage) in pixels {
                let (x, y) = transform.transform(x + x0 + dx - min_x, y + y0 + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    let color = BackendColor {
                        alpha: color.alpha * f64::from(coverage),
                        rgb: color.rgb,
                    };
                    self.0.draw_pixel((x, y), color)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column with ink of `text` drawn at x = 0 at 40 px, with `draw`.
    fn first_ink(draw: impl Fn(&mut [u8], (u32, u32))) -> usize {
        let (w, h) = (120u32, 60u32);
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        draw(&mut pixels, (w, h));
        (0..w as usize)
            .find(|&x| (0..h as usize).any(|y| pixels[(y * w as usize + x) * 3] < 128))
            .expect("the text has ink")
    }

    /// "l" has a left side bearing of about 0.09 em: drawn right, its stem starts that far
    /// from the pen (3 to 4 px at 40 px); plotters' own text drawing starts it at the pen,
    /// which is what opened a gap after every "l" ("Friesl and").
    #[test]
    fn a_glyph_keeps_its_left_side_bearing() {
        super::super::register_font();
        let text = |png: bool| {
            move |pixels: &mut [u8], size: (u32, u32)| {
                let style = ("sans-serif", 40).into_font().color(&BLACK);
                let element = Text::new("l", (0, 0), style);
                if png {
                    let root = Png(BitMapBackend::with_buffer(pixels, size)).into_drawing_area();
                    root.draw(&element).unwrap();
                    root.present().unwrap();
                } else {
                    let root = BitMapBackend::with_buffer(pixels, size).into_drawing_area();
                    root.draw(&element).unwrap();
                    root.present().unwrap();
                }
            }
        };
        let font = dejavu().as_scaled(40.0);
        let bearing = font.h_side_bearing(font.glyph_id('l'));
        assert!(bearing > 2.5, "DejaVu's l has a visible bearing: {bearing}");
        let ours = first_ink(text(true));
        assert!(
            (ours as f32 - bearing).abs() <= 1.0,
            "ink at {ours}, bearing {bearing}"
        );
        assert!(
            first_ink(text(false)) + 2 <= ours,
            "plotters drops the bearing"
        );
    }
}
