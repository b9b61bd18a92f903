//! The dots of requests while many fly: painted on one canvas laid over the cluster view, one
//! frame at a time, instead of one SMIL-animated SVG element each.
//!
//! Why: with the traffic generator at 200 requests/s and 4×, a thousand `<animateMotion>`s
//! moved at once, and every frame re-rendered the whole SVG under them (the nodes, the hundred
//! pods and their text) in software: the main thread was busy for most of each second. A canvas
//! on a layer of its own is repainted alone. Each request keeps its element in the SVG (with its
//! `data-request` and `data-state`); only its moving dot is here, and a click on it (`hit`)
//! selects it. While few fly, the SVG draws them, with their trails and addresses.

use super::now_ms;
use crate::scene::layout::paced_point;
use leptos::prelude::*;
use std::collections::BTreeMap;
use web_sys::wasm_bindgen::JsCast;

/// One request's dot: the points it travels through, when it started (wall clock, ms), how
/// long it flies, and whether it was served (its colour once landed).
pub struct Dot {
    pub pts: Vec<(f64, f64)>,
    pub born: f64,
    pub flight_ms: f64,
    pub served: bool,
}

/// The canvas layer: the dots by request id, and whether a frame is already asked for.
#[derive(Clone, Copy)]
pub struct Dots {
    dots: StoredValue<BTreeMap<u64, Dot>, LocalStorage>,
    running: StoredValue<bool>,
    /// the theme's two colours (`--ok`, `--warn`), read at the first frame of each run of
    /// frames (not at every frame; a new theme shows from the next run)
    colours: StoredValue<Option<[String; 2]>>,
    /// the canvas's place as last set (compared, not read back from the DOM, each frame)
    placed: StoredValue<String>,
    canvas: NodeRef<leptos::html::Canvas>,
    svg: NodeRef<leptos::svg::Svg>,
    /// the SVG's viewBox size (the units the dots are in)
    view: Signal<(f64, f64)>,
}

/// A dot's radius, in the SVG's units (as the SVG's own dots).
const DOT_R: f64 = 6.0;

impl Dots {
    pub fn new(svg: NodeRef<leptos::svg::Svg>, view: Signal<(f64, f64)>) -> Dots {
        Dots {
            dots: StoredValue::new_local(BTreeMap::new()),
            running: StoredValue::new(false),
            colours: StoredValue::new(None),
            placed: StoredValue::new(String::new()),
            canvas: NodeRef::new(),
            svg,
            view,
        }
    }

    /// The canvas, to be placed over the SVG in the same positioned box.
    pub fn canvas(self) -> impl IntoView {
        view! { <canvas class="viz-dots" data-dots aria-hidden="true" node_ref=self.canvas></canvas> }
    }

    /// Paints request `id`'s dot until `forget` is called for it.
    pub fn add(self, id: u64, dot: Dot) {
        self.dots.update_value(|d| {
            d.insert(id, dot);
        });
        self.repaint();
    }

    /// Stops painting request `id`'s dot (when its element leaves the view), if it is the one
    /// started at `born` (a request flown again is added anew under the same id).
    pub fn forget(self, id: u64, born: f64) {
        let gone = self
            .dots
            .try_update_value(|d| match d.get(&id) {
                Some(dot) if dot.born == born => d.remove(&id).is_some(),
                _ => false,
            })
            .unwrap_or(false);
        if gone {
            self.repaint();
        }
    }

    /// The request whose painted dot is under the point (`x`, `y`) of the window (CSS pixels),
    /// if any: the nearest within a dot's reach, or eight pixels on a view drawn small.
    pub fn hit(self, x: f64, y: f64) -> Option<u64> {
        let svg = self.svg.get_untracked()?;
        let (vw, _) = self.view.get_untracked();
        let r = svg.get_bounding_client_rect();
        if vw <= 0.0 || r.width() <= 0.0 {
            return None;
        }
        let k = r.width() / vw;
        let (x, y) = ((x - r.left()) / k, (y - r.top()) / k);
        let reach = (DOT_R + 2.0).max(8.0 / k);
        let now = now_ms();
        self.dots.with_value(|dots| {
            dots.iter()
                .map(|(id, d)| {
                    let (px, py) = paced_point(&d.pts, (now - d.born) / d.flight_ms);
                    (*id, (px - x).hypot(py - y))
                })
                .filter(|(_, far)| *far <= reach)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(id, _)| id)
        })
    }

    /// Paints the dots at the next frame (they changed, or the view changed size), unless a
    /// frame is asked for already.
    pub fn repaint(self) {
        if self.running.try_get_value() == Some(false) {
            self.running.set_value(true);
            self.colours.set_value(None);
            request_animation_frame(move || self.frame());
        }
    }

    /// Paints every dot where it is now; asks for the next frame while any is in flight.
    fn frame(self) {
        let Some(flying) = self.paint() else {
            self.running.try_set_value(false);
            return;
        };
        if flying {
            request_animation_frame(move || self.frame());
        } else {
            self.running.try_set_value(false);
        }
    }

    /// Paints the dots; says whether any is still in flight (`None` once the view is gone).
    fn paint(self) -> Option<bool> {
        let canvas = self.canvas.get_untracked()?;
        let svg = self.svg.get_untracked()?;
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()?
            .dyn_into::<web_sys::CanvasRenderingContext2d>()
            .ok()?;
        // the canvas covers only what is seen of the SVG (inside its scrolling box and the
        // window): a canvas is copied whole to the compositor each frame, and the whole SVG is
        // four times what a projector shows of it
        let wrap = canvas.parent_element()?;
        let win = web_sys::window()?;
        let r = svg.get_bounding_client_rect();
        let b = wrap.get_bounding_client_rect();
        let inner = |v: Result<web_sys::wasm_bindgen::JsValue, _>| {
            v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
        };
        let (left, top) = (
            r.left().max(b.left()).max(0.0),
            r.top().max(b.top()).max(0.0),
        );
        let right = r.right().min(b.right()).min(inner(win.inner_width()));
        let bottom = r.bottom().min(b.bottom()).min(inner(win.inner_height()));
        let (cw, ch) = (
            (right - left).max(0.0).floor(),
            (bottom - top).max(0.0).floor(),
        );
        let dpr = win.device_pixel_ratio().clamp(1.0, 2.0);
        let (w, h) = ((cw * dpr).round(), (ch * dpr).round());
        // where that is in the scrolling box's content
        let at = (
            (left - b.left() - f64::from(wrap.client_left()) + f64::from(wrap.scroll_left()))
                .round(),
            (top - b.top() - f64::from(wrap.client_top()) + f64::from(wrap.scroll_top())).round(),
        );
        let place = format!("left:{}px;top:{}px;width:{cw}px;height:{ch}px", at.0, at.1);
        if f64::from(canvas.width()) != w || f64::from(canvas.height()) != h {
            canvas.set_width(w as u32);
            canvas.set_height(h as u32);
        }
        if self.placed.with_value(|p| *p != place) {
            let _ = canvas.set_attribute("style", &place);
            self.placed.set_value(place);
        }
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, w, h);
        let (vw, vh) = self.view.get_untracked();
        let now = now_ms();
        if vw <= 0.0 || vh <= 0.0 || w <= 0.0 || h <= 0.0 {
            // nothing of the view is seen: frames go on while dots fly (it may be scrolled to)
            let flying = self
                .dots
                .with_value(|d| d.values().any(|d| now - d.born < d.flight_ms));
            return Some(flying);
        }
        // from the SVG's units to the canvas's pixels (the view is scaled to its box's width,
        // from its top left corner)
        let k = r.width() / vw * dpr;
        let _ = ctx.set_transform(
            k,
            0.0,
            0.0,
            k,
            (r.left() - left) * dpr,
            (r.top() - top) * dpr,
        );
        // the colours of the theme (light or dark), as the SVG's dots have them
        if self.colours.with_value(Option::is_none) {
            let css = win.get_computed_style(&canvas).ok()??;
            let colour = |name: &str| {
                let c = css.get_property_value(name).unwrap_or_default();
                c.trim().to_string()
            };
            self.colours
                .set_value(Some([colour("--ok"), colour("--warn")]));
        }
        let colours = self.colours.get_value().unwrap_or_default();
        let mut flying = false;
        self.dots.with_value(|dots| {
            // in flight and served: a dot; failed: a ring with a cross, in the other colour
            // (colour is not the only sign). Each is drawn alone: a thousand dots as one path
            // were rasterised over the whole canvas.
            for (ok, colour) in [(true, &colours[0]), (false, &colours[1])] {
                let mut styled = false;
                for d in dots.values() {
                    let share = (now - d.born) / d.flight_ms;
                    if (share < 1.0 || d.served) != ok {
                        continue;
                    }
                    flying |= share < 1.0;
                    if !styled {
                        ctx.set_fill_style_str(colour);
                        ctx.set_stroke_style_str(colour);
                        ctx.set_line_width(2.5);
                        styled = true;
                    }
                    let (x, y) = paced_point(&d.pts, share);
                    ctx.begin_path();
                    let _ = ctx.arc(x, y, DOT_R, 0.0, std::f64::consts::TAU);
                    if ok {
                        ctx.fill();
                    } else {
                        let c = DOT_R * 0.5;
                        ctx.move_to(x - c, y - c);
                        ctx.line_to(x + c, y + c);
                        ctx.move_to(x + c, y - c);
                        ctx.line_to(x - c, y + c);
                        ctx.stroke();
                    }
                }
            }
        });
        Some(flying)
    }
}
